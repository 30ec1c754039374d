// The real setup services: each step of the wizard as a plain async function over the real API
// client, source adapters and mapper. `handoff` differs per context (demo, real install), so the
// caller provides it.
import type { Profile, SourceConfig } from '../config/schema.js';
import { resolveSecret } from '../config/secrets.js';
import { ApiClient, TokenRejectedError } from '../delivery/client.js';
import { apiClockCheck, checkDisk, checkNode, dbClockCheck } from '../doctor.js';
import { LINES_PROPERTY } from '../mapping/lines.js';
import { suggestTemplate, suggestTemplates } from '../mapping/suggest.js';
import { listSiteTemplates, loadTemplateRef } from '../mapping/files.js';
import type { Template } from '../mapping/template.js';
import { pullSamples, reviewSamples } from '../review/samples.js';
import { createSource, type SourceAdapter } from '../sources/index.js';
import { discover } from '../sources/discovery.js';
import { USER_AGENT } from '../version.js';
import { evaluateMapping } from './editor.js';
import { recentAcks } from './handoff.js';
import type {
  ConnectionResult,
  EnvCheck,
  LookupOption,
  MappedSample,
  SampleSpec,
  SetupDraft,
  SetupServices,
  TableInfo,
  TokenCheck,
} from './services.js';
import { databaseZone } from './zones.js';

/** A draft template value meaning: pick the best template for the table's columns. */
export const AUTO_TEMPLATE = 'auto';

export function draftToProfile(d: SetupDraft, base: Partial<Profile> = {}): Profile {
  // The draft's own choices win: the wizard saves what the installer chose (environment, change
  // mode, zone, mapping edits); `base` fills what the draft does not say.
  return {
    name: d.profileName,
    environment: d.environment ?? base.environment ?? 'sandbox',
    api: { url: d.apiUrl, token: d.token },
    source: d.source,
    table: d.table,
    key: d.key,
    change: {
      lookbackSeconds: 300,
      ...(base.change ?? {}),
      mode: d.changeMode ?? base.change?.mode ?? 'timestamp',
      column: d.changeColumn ?? base.change?.column ?? undefined,
      timezone: d.timezone ?? base.change?.timezone ?? 'UTC',
    },
    mapping: {
      template: d.template,
      fields: { ...(base.mapping?.fields ?? {}), ...(d.fields ?? {}) },
      ...(d.skip?.length || base.mapping?.skip ? { skip: [...((base.mapping?.skip as unknown[]) ?? []), ...(d.skip ?? [])] } : {}),
    },
    schedule: base.schedule ?? { every: '5s' },
    batchSize: base.batchSize ?? 200,
    enabled: true,
  };
}

export function createLiveServices(opts: {
  handoff: SetupServices['handoff'];
  /** Plant time zone used for previews when the draft has none. */
  timezone?: string;
  /** Per-profile field overrides under the draft's own (the demo's plant names). */
  fields?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** The Outpost home: free disk is checked there, acknowledged tickets read from its state. */
  home?: string;
}): SetupServices {
  const env = opts.env ?? process.env;
  const handoffAt = new Map<string, string>();
  /** The automatic template choice per source and table, made once with a connection. */
  const autoPick = new Map<string, string>();

  return {
    async checkEnvironment(): Promise<EnvCheck[]> {
      const out: EnvCheck[] = [checkNode()];
      if (opts.home) out.push(checkDisk(opts.home));
      return out;
    },

    async checkToken(apiUrl: string, token: string): Promise<TokenCheck> {
      let url: URL;
      try {
        url = new URL(apiUrl);
      } catch {
        return { ok: false, message: `"${apiUrl}" is not a URL; enter it like https://api.example.com.` };
      }
      try {
        const t0 = Date.now();
        const client = new ApiClient({ url: url.toString(), token: resolveSecret(token, env)!, userAgent: USER_AGENT, timeoutMs: 10_000 });
        const who = await client.whoami();
        return { ok: true, ...who, clock: await apiClock(url, t0) };
      } catch (e) {
        if (e instanceof TokenRejectedError)
          return { ok: false, message: 'The API does not accept this token; copy it again from the account page and retry.' };
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
            columns: t ? t.columns.map((col) => col.name) : c.columns,
            suggestedKey: c.suggestedKey,
            suggestedChangeColumn: c.recommended?.column ?? null,
            suggestedChangeMode: c.recommended?.mode,
            notes: [...c.reasons, c.keyReason].filter(Boolean),
            change: c.change.map((s) => ({ mode: s.mode, column: s.column, ready: s.ready, reason: s.reason, needs: s.needs })),
          };
        });
        const clock = await dbClock(adapter);
        const timezone = await databaseZone(adapter);
        return { ok: true, serverVersion: ping.serverVersion, latencyMs: ping.latencyMs, tables, clock, timezone };
      } catch (e) {
        const err = e as Error & { code?: string };
        return { ok: false, message: err.message, code: err.code };
      } finally {
        await adapter?.close().catch(() => {});
      }
    },

    async pullSample(draft: SetupDraft, spec: number | SampleSpec) {
      const s: SampleSpec = typeof spec === 'number' ? { latest: spec } : spec;
      const adapter = await createSource(draft.source);
      try {
        await adapter.connect();
        const profile = await profileFor(draft, adapter);
        // Through the review module so header+lines layouts get their lines attached.
        const { rows, notFound } = await pullSamples(
          adapter,
          profile,
          s.ticketNumbers?.length ? { ticketNumbers: s.ticketNumbers, numberColumn: s.numberColumn } : { latest: s.latest ?? 5 },
        );
        return { columns: rows[0] ? Object.keys(rows[0]).filter((k) => k !== LINES_PROPERTY) : [], rows, notFound };
      } finally {
        await adapter.close().catch(() => {});
      }
    },

    async previewMapping(draft: SetupDraft, rows: Record<string, unknown>[]): Promise<MappedSample[]> {
      const columns = rows[0] ? Object.keys(rows[0]) : [];
      const profile = await profileFor(draft, null, columns);
      return reviewSamples(rows, profile).map((r) => ({
        ticketNumber: r.ticketNumber,
        raw: r.raw,
        ticket: r.ticket,
        problems: r.problems,
      }));
    },

    async evaluateMapping(draft: SetupDraft, rows: Record<string, unknown>[]) {
      const columns = rows[0] ? Object.keys(rows[0]) : [];
      const profile = await profileFor(draft, null, columns);
      let template: Template;
      try {
        template = loadTemplateRef(profile.mapping.template, opts.home).template;
      } catch (e) {
        return { template: profile.mapping.template, fields: [], samples: [], mapped: 0, total: rows.length, error: (e as Error).message };
      }
      // Lookups (and header+lines layouts) read other tables: only then is a connection needed.
      const needsSource = template.layout === 'header-lines' || /"lookup"/.test(JSON.stringify([template, profile.mapping.fields]));
      let adapter: SourceAdapter | null = null;
      try {
        if (needsSource) {
          adapter = await createSource(draft.source);
          await adapter.connect();
        }
        return await evaluateMapping({
          source: adapter,
          template,
          fields: profile.mapping.fields,
          skip: draft.skip,
          rows,
          profile,
          home: opts.home,
        });
      } catch (e) {
        return { template: template.name, fields: [], samples: [], mapped: 0, total: rows.length, error: (e as Error).message };
      } finally {
        await adapter?.close().catch(() => {});
      }
    },

    async lookupOptions(draft: SetupDraft): Promise<LookupOption[]> {
      const adapter = await createSource(draft.source);
      try {
        await adapter.connect();
        const fks = (await adapter.foreignKeys?.()) ?? [];
        const mine = fks.filter((f) => f.table.toLowerCase() === draft.table.toLowerCase());
        const out: LookupOption[] = [];
        for (const f of mine) {
          const detail = await adapter.describeTable(f.referencedTable).catch(() => null);
          out.push({
            label: `${f.columns.join(' + ')} → ${f.referencedTable}`,
            table: f.referencedTable,
            on: Object.fromEntries(f.referencedColumns.map((rc, i) => [rc, f.columns[i]])),
            columns: detail ? detail.columns.map((c) => c.name) : [],
          });
        }
        return out;
      } finally {
        await adapter.close().catch(() => {});
      }
    },

    async handoff(draft: SetupDraft, action) {
      handoffAt.set(draft.profileName, new Date(Date.now() - 1000).toISOString());
      if (draft.template !== AUTO_TEMPLATE) return opts.handoff(draft, action);
      const adapter = await createSource(draft.source);
      try {
        await adapter.connect();
        return await opts.handoff({ ...draft, template: (await profileFor(draft, adapter)).mapping.template }, action);
      } finally {
        await adapter.close().catch(() => {});
      }
    },

    async recentAcks(draft: SetupDraft) {
      if (!opts.home) return [];
      return recentAcks(opts.home, draft.profileName, handoffAt.get(draft.profileName) ?? new Date(0).toISOString());
    },
  };

  /** The profile a draft stands for; template "auto" becomes the template that maps most sample rows. */
  async function profileFor(draft: SetupDraft, adapter: SourceAdapter | null, columns?: string[]): Promise<Profile> {
    let template = draft.template;
    const pickKey = `${draft.source.driver}:${draft.source.file ?? draft.source.database ?? ''}:${draft.table}`;
    if (template === AUTO_TEMPLATE && autoPick.has(pickKey)) template = autoPick.get(pickKey)!;
    if (template === AUTO_TEMPLATE && adapter && draft.table) {
      // With a connection, templates are ranked by how many real rows they map (a header-lines
      // layout that maps none never wins over one that maps some); the pick is kept for the later
      // steps, which see only the sample rows.
      const d = adapter.dialect;
      const samples = await adapter.query(d.limit(`SELECT * FROM ${d.ident(draft.table)}`, 5));
      if (samples.length) {
        const ranked = await suggestTemplates(adapter, {
          samples,
          timezone: draft.timezone ?? opts.timezone ?? 'UTC',
          home: opts.home,
          key: draft.key,
          table: draft.table,
        });
        if (ranked[0]) {
          template = ranked[0].template;
          autoPick.set(pickKey, template);
        }
      }
    }
    if (template === AUTO_TEMPLATE) {
      let cols = columns ?? [];
      if (!columns && adapter) {
        const d = adapter.dialect;
        const [row] = await adapter.query(d.limit(`SELECT * FROM ${d.ident(draft.table)}`, 1));
        cols = row ? Object.keys(row) : [];
      }
      // Site templates (saved by earlier setups in <home>/templates) compete with the shipped ones.
      const site = listSiteTemplates(opts.home).flatMap((n) => {
        try {
          return [loadTemplateRef(n, opts.home).template];
        } catch {
          return [];
        }
      });
      const shipped = suggestTemplate(cols.filter((c) => c !== LINES_PROPERTY));
      const best = [
        ...(site.length
          ? suggestTemplate(
              cols.filter((c) => c !== LINES_PROPERTY),
              site,
            )
          : []),
        ...shipped,
      ].sort((a, b) => b.score - a.score)[0];
      template = best?.template ?? 'generic-scale-ticket';
    }
    return draftToProfile(
      { ...draft, template, timezone: draft.timezone ?? opts.timezone },
      {
        change: {
          mode: draft.changeMode ?? 'timestamp',
          column: draft.changeColumn ?? undefined,
          lookbackSeconds: 300,
          timezone: opts.timezone ?? 'UTC',
        },
        mapping: { template, fields: opts.fields ?? {} },
      },
    );
  }
}

async function apiClock(url: URL, t0: number): Promise<EnvCheck> {
  try {
    return await apiClockCheck('API clock', url, t0);
  } catch (e) {
    return { name: 'API clock', status: 'warn', detail: `the API clock could not be read (${(e as Error).message})` };
  }
}

async function dbClock(src: SourceAdapter): Promise<EnvCheck> {
  try {
    return await dbClockCheck('database clock', src);
  } catch (e) {
    return { name: 'database clock', status: 'warn', detail: `the database clock could not be read (${(e as Error).message})` };
  }
}
