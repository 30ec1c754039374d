// The real setup services: each step of the wizard as a plain async function over the real API
// client, source adapters and mapper. `handoff` differs per context (demo, real install), so the
// caller provides it.
import type { Profile, SourceConfig } from '../config/schema.js';
import { resolveSecret } from '../config/secrets.js';
import { ApiClient, TokenRejectedError } from '../delivery/client.js';
import { LINES_PROPERTY } from '../mapping/lines.js';
import { suggestTemplate } from '../mapping/suggest.js';
import { pullSamples, reviewSamples } from '../review/samples.js';
import { createSource, type SourceAdapter } from '../sources/index.js';
import { discover } from '../sources/discovery.js';
import { USER_AGENT } from '../version.js';
import type { ConnectionResult, MappedSample, SetupDraft, SetupServices, TableInfo, TokenCheck } from './services.js';

/** A draft template value meaning: pick the best template for the table's columns. */
export const AUTO_TEMPLATE = 'auto';

export function draftToProfile(d: SetupDraft, base: Partial<Profile> = {}): Profile {
  return {
    name: d.profileName,
    environment: base.environment ?? 'sandbox',
    api: { url: d.apiUrl, token: d.token },
    source: d.source,
    table: d.table,
    key: d.key,
    change: { mode: d.changeMode ?? 'timestamp', column: d.changeColumn ?? undefined, lookbackSeconds: 300, timezone: base.change?.timezone ?? 'UTC', ...(base.change ?? {}) },
    mapping: { template: d.template, fields: base.mapping?.fields ?? {} },
    schedule: base.schedule ?? { every: '5s' },
    batchSize: base.batchSize ?? 200,
    enabled: true,
  };
}

export function createLiveServices(opts: {
  handoff: SetupServices['handoff'];
  /** Plant time zone and per-profile field overrides used for previews. */
  timezone?: string;
  fields?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}): SetupServices {
  const env = opts.env ?? process.env;
  return {
    async checkToken(apiUrl: string, token: string): Promise<TokenCheck> {
      let url: URL;
      try {
        url = new URL(apiUrl);
      } catch {
        return { ok: false, message: `"${apiUrl}" is not a URL; enter it like https://api.example.com.` };
      }
      try {
        const who = await new ApiClient({ url: url.toString(), token: resolveSecret(token, env)!, userAgent: USER_AGENT, timeoutMs: 10_000 }).whoami();
        return { ok: true, ...who };
      } catch (e) {
        if (e instanceof TokenRejectedError) return { ok: false, message: 'The API does not accept this token; copy it again from the account page and retry.' };
        return { ok: false, message: (e as Error).message };
      }
    },

    async testConnection(source: SourceConfig): Promise<ConnectionResult> {
      let adapter;
      try {
        adapter = await createSource(source);
        await adapter.connect();
        const ping = await adapter.ping();
        // Discovery ranks likely ticket tables and suggests key and change mode with reasons.
        const listed = new Map((await adapter.listTables()).map((t) => [t.name, t]));
        const tables = (await discover(adapter)).map((c): TableInfo => {
          const t = listed.get(c.name);
          return {
            name: c.name,
            rowCount: c.rowCount,
            columns: t ? t.columns.map((col) => col.name) : [],
            suggestedKey: c.suggestedKey,
            suggestedChangeColumn: c.recommended?.column ?? null,
            suggestedChangeMode: c.recommended?.mode,
            notes: [...c.reasons, ...c.change.filter((s) => !s.ready && s.needs).map((s) => `${s.mode}: ${s.needs}`)],
          };
        });
        return { ok: true, serverVersion: ping.serverVersion, latencyMs: ping.latencyMs, tables };
      } catch (e) {
        const err = e as Error & { code?: string };
        return { ok: false, message: err.message, code: err.code };
      } finally {
        await adapter?.close().catch(() => {});
      }
    },

    async pullSample(draft: SetupDraft, limit: number) {
      const adapter = await createSource(draft.source);
      try {
        await adapter.connect();
        const profile = await profileFor(draft, adapter);
        // Through the review module so header+lines layouts get their lines attached.
        const { rows } = await pullSamples(adapter, profile, { latest: limit });
        return { columns: rows[0] ? Object.keys(rows[0]).filter((k) => k !== LINES_PROPERTY) : [], rows };
      } finally {
        await adapter.close().catch(() => {});
      }
    },

    async previewMapping(draft: SetupDraft, rows: Record<string, unknown>[]): Promise<MappedSample[]> {
      const columns = rows[0] ? Object.keys(rows[0]) : [];
      const profile = await profileFor(draft, null, columns);
      return reviewSamples(rows, profile).map((r) => ({ ticketNumber: r.ticketNumber, raw: r.raw, ticket: r.ticket, problems: r.problems }));
    },

    async handoff(draft: SetupDraft) {
      if (draft.template !== AUTO_TEMPLATE) return opts.handoff(draft);
      const adapter = await createSource(draft.source);
      try {
        await adapter.connect();
        return await opts.handoff({ ...draft, template: (await profileFor(draft, adapter)).mapping.template });
      } finally {
        await adapter.close().catch(() => {});
      }
    },
  };

  /** The profile a draft stands for; template "auto" becomes the best match for the table's columns. */
  async function profileFor(draft: SetupDraft, adapter: SourceAdapter | null, columns?: string[]): Promise<Profile> {
    let template = draft.template;
    if (template === AUTO_TEMPLATE) {
      let cols = columns ?? [];
      if (!columns && adapter) {
        const d = adapter.dialect;
        const [row] = await adapter.query(d.limit(`SELECT * FROM ${d.ident(draft.table)}`, 1));
        cols = row ? Object.keys(row) : [];
      }
      template = suggestTemplate(cols.filter((c) => c !== LINES_PROPERTY))[0]?.template ?? 'generic-scale-ticket';
    }
    return draftToProfile(
      { ...draft, template },
      { change: { mode: draft.changeMode ?? 'timestamp', column: draft.changeColumn ?? undefined, lookbackSeconds: 300, timezone: opts.timezone ?? 'UTC' }, mapping: { template, fields: opts.fields ?? {} } },
    );
  }
}
