// What the source-adapter tests share: a profile's source for a server and login, a connected
// adapter closed after the test, the SourceError a promise must reject with, and the timestamp
// change mode paging through rows 1 µs apart (the same case on every server).
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { TimestampReader } from '../../core/change/timestamp.js';
import type { SourceConfig } from '../../core/config/schema.js';
import { createSource } from '../../core/sources/index.js';
import { SourceError, type SourceAdapter } from '../../core/sources/types.js';
import type { Watermark } from '../../core/state/store.js';
import { scratchDatabase, type DbServer, type ScratchOn } from './databases.js';

/** The source config for `driver` on a test server with the given login. */
export function serverSource(
  driver: 'postgres' | 'mysql',
  server: DbServer,
  database: string,
  login: { user: string; password: string },
  extra: Partial<SourceConfig> = {},
): SourceConfig {
  return { driver, host: server.host, port: server.port, database, user: login.user, password: login.password, options: {}, ...extra };
}

/** The source config for a scratch database's read-only login (or `login`). */
export function scratchSource(driver: 'postgres' | 'mysql', s: ScratchOn, login = s.db.readOnly): SourceConfig {
  return serverSource(driver, s.server, s.db.database, login);
}

/** An adapter for `cfg`, connected, and closed when the test ends. */
export async function connectedSource<T extends SourceAdapter>(t: TestContext, cfg: SourceConfig): Promise<T> {
  const src = (await createSource(cfg)) as T;
  await src.connect();
  t.after(() => src.close());
  return src;
}

/**
 * What one driver's adapter tests use: `setup`, a scratch database with the ticket table made by
 * `setupSql` (undefined after skipping); `source`, the config for a login on a database of that
 * server; `connected`, an adapter for a config, closed after the test.
 */
export function adapterTests<T extends SourceAdapter>(driver: 'postgres' | 'mysql', setupSql: string[], table: string) {
  return {
    setup: (t: TestContext) => scratchDatabase(t, driver, setupSql, table),
    source: (server: DbServer, database: string, login: { user: string; password: string }, extra: Partial<SourceConfig> = {}) =>
      serverSource(driver, server, database, login, extra),
    connected: (t: TestContext, cfg: SourceConfig) => connectedSource<T>(t, cfg),
  };
}

/** The SourceError `p` rejects with (fails the test when it resolves or throws something else). */
export async function sourceError(p: Promise<unknown>): Promise<SourceError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof SourceError, `expected a SourceError, got ${(e as Error).stack}`);
    return e;
  }
  assert.fail('expected an error');
}

/** The TicketIDs of every page `reader` reads from `wm`, `pageSize` rows a page, and the last position a page moved to. */
async function readIds(
  reader: TimestampReader,
  src: SourceAdapter,
  wm: Watermark | null,
  pageSize: number,
  most = Infinity,
): Promise<{ ids: unknown[]; last: Watermark | null }> {
  const ids: unknown[] = [];
  let last: Watermark | null = null;
  for await (const page of reader.pages(src, wm, pageSize)) {
    ids.push(...page.rows.map((r) => r.TicketID));
    if (page.next) last = page.next;
    assert.ok(ids.length <= most, 'the reader loops');
  }
  return { ids, last };
}

/**
 * The timestamp change mode over `table`'s three seeded rows, TicketID 1 to 3 stamped 1 µs apart
 * (LastModified 2024-05-01 07:00:00.123456 to .123458): one row a page, in order, without looping
 * or skipping. Then `addFourth` stamps row 4 at .123459: from the watermark the reader reads it
 * first, then the last row again (inclusive: the ledger drops it); with a 300 s lookback the first
 * page re-reads the window below the watermark (minusSeconds on a typed cursor). Returns the reader
 * and the watermark the first pass ended on.
 */
export async function checkMicrosecondPages(
  src: SourceAdapter,
  table: string,
  addFourth: () => Promise<unknown>,
): Promise<{ reader: TimestampReader; wm: Watermark }> {
  const reader = new TimestampReader({ table, key: ['TicketID'], column: 'LastModified', lookbackSeconds: 0 });
  const first = await readIds(reader, src, null, 1, 3);
  assert.deepEqual(first.ids, [1, 2, 3]);
  const wm = first.last!;
  assert.equal(wm.cursor, '2024-05-01 07:00:00.123458');
  await addFourth();
  const again = await readIds(reader, src, { ...wm, at: new Date().toISOString() }, 10);
  assert.deepEqual(again.ids, [4, 3], 'the new row first, then inclusive from the watermark: the last row again (the ledger drops it)');
  const wide = new TimestampReader({ table, key: ['TicketID'], column: 'LastModified', lookbackSeconds: 300 });
  const window = await readIds(wide, src, { ...wm, at: new Date().toISOString() }, 10);
  assert.deepEqual(window.ids, [4, 1, 2, 3], 'the new row, then the lookback window below the watermark');
  return { reader, wm };
}
