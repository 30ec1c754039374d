// The setup draft between runs: saved after every wizard step so `outpost setup` can offer to
// resume. Kept with `conf` in an explicit folder under the Outpost home (<home>/setup/draft.json),
// never conf's per-user default (a service account would not see it). conf is single-writer: one
// setup at a time per home, which is what a setup call is. Secrets are never in the draft: the
// token and the database password are dropped unless they are references (env:NAME, secret:NAME).
import Conf from 'conf';
import { join } from 'node:path';
import { isSecretRef } from '../config/secrets.js';
import type { SetupDraft } from './services.js';

export interface SavedDraft {
  draft: SetupDraft;
  /** The step the wizard was on (its id, e.g. "zone"). */
  step: string;
  savedAt: string;
}

type Store = { drafts: Record<string, SavedDraft> };

/** The draft without secret values. */
export function withoutSecrets(d: SetupDraft): SetupDraft {
  const copy = structuredClone(d);
  if (!isSecretRef(copy.token)) copy.token = '';
  if (copy.source.password !== undefined && !isSecretRef(copy.source.password)) delete copy.source.password;
  return copy;
}

export class DraftStore {
  private readonly conf: Conf<Store>;

  constructor(home: string) {
    this.conf = new Conf<Store>({
      cwd: join(home, 'setup'),
      configName: 'draft',
      projectName: 'outpost',
      defaults: { drafts: {} },
      clearInvalidConfig: true,
      // Written once per step; no watching, no encryption (conf's encryptionKey is not security).
      watch: false,
      accessPropertiesByDotNotation: false,
      configFileMode: 0o600,
    });
  }

  get path(): string {
    return this.conf.path;
  }

  load(profile: string): SavedDraft | null {
    const all = this.conf.get('drafts');
    const d = all[profile];
    return d && d.draft && typeof d.step === 'string' ? d : null;
  }

  save(profile: string, draft: SetupDraft, step: string): void {
    const all = { ...this.conf.get('drafts') };
    all[profile] = { draft: withoutSecrets(draft), step, savedAt: new Date().toISOString() };
    this.conf.set('drafts', all);
  }

  clear(profile: string): void {
    const all = { ...this.conf.get('drafts') };
    delete all[profile];
    this.conf.set('drafts', all);
  }
}
