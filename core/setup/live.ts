// The real setup services: each step of the wizard as a plain async function over the real API
// client, source adapters and mapper. `handoff` differs per context (demo, real install), so the
// caller provides it.
import type { Profile, SourceConfig } from '../config/schema.js';
import { resolveSecret } from '../config/secrets.js';
import { ApiClient, TokenRejectedError } from '../delivery/client.js';
import { createMapper } from '../mapping/index.js';
import { createSource } from '../sources/index.js';
import { discover } from '../sources/discovery.js';
import { ticketIdFor } from '../engine/pipeline.js';
import { USER_AGENT } from '../version.js';
import type { ConnectionResult, MappedSample, SetupDraft, SetupServices, TableInfo, TokenCheck } from './services.js';

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
        const d = adapter.dialect;
        const order = draft.changeColumn ? d.ident(draft.changeColumn) : draft.key.map((k) => d.ident(k)).join(', ');
        const rows = await adapter.query(d.limit(`SELECT * FROM ${d.ident(draft.table)} ORDER BY ${order} DESC`, limit));
        return { columns: rows[0] ? Object.keys(rows[0]) : [], rows };
      } finally {
        await adapter.close().catch(() => {});
      }
    },

    async previewMapping(draft: SetupDraft, rows: Record<string, unknown>[]): Promise<MappedSample[]> {
      const profile = draftToProfile(draft, { change: { mode: 'timestamp', lookbackSeconds: 300, timezone: opts.timezone ?? 'UTC' }, mapping: { template: draft.template, fields: opts.fields ?? {} } });
      const mapper = createMapper({ template: draft.template, fields: opts.fields, timezone: opts.timezone ?? 'UTC' });
      const numberColumn = mapper.sources()['ticketNumber'];
      return rows.map((row) => {
        const ticketId = ticketIdFor(profile, row);
        const r = mapper.map(row, { ticketId, recordKey: draft.key.map((k) => String(row[k])).join('/'), table: draft.table, recordModifiedAt: draft.changeColumn ? String(row[draft.changeColumn] ?? '') : undefined });
        const ticketNumber = r.ok ? r.ticket.ticketNumber : String(row[numberColumn ?? ''] ?? '').trim();
        return { ticketNumber, raw: row, ticket: r.ok ? r.ticket : null, problems: r.ok ? [] : r.problems };
      });
    },

    handoff: opts.handoff,
  };
}
