// A zone-less change column holding plant-local time while the database clock runs in another zone
// (SQLite's clock is UTC): with change.timezone set, the pass's upper bound is the plant's clock, so
// rows written a moment ago in Asia/Kolkata (UTC+5:30) are read now, not 5.5 h later; `validate`
// warns when the newest change value is ahead of the database clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TimestampReader, wallIn } from '../../core/change/timestamp.js';
import type { Profile } from '../../core/config/schema.js';
import { SqliteSource } from '../../core/sources/sqlite.js';
import { checkChange } from '../../core/validate.js';

function wall(zone: string, offsetMs: number): string {
  const utc = new Date(Date.now() + offsetMs).toISOString().replace('T', ' ').slice(0, 23);
  return wallIn(utc, zone, 'YYYY-MM-DD HH:MM:SS.SSS')!;
}

async function fixture(rows: [number, string][]) {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-zoneless-'));
  const file = join(dir, 't.db');
  const db = new Database(file);
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, updated TEXT NOT NULL); CREATE INDEX t_updated ON t (updated)`);
  for (const [id, u] of rows) db.prepare('INSERT INTO t VALUES (?, ?)').run(id, u);
  db.close();
  const src = new SqliteSource({ driver: 'sqlite', file } as never);
  await src.connect();
  return { src, cleanup: async () => (await src.close(), rmSync(dir, { recursive: true, force: true })) };
}

async function ids(reader: TimestampReader, src: SqliteSource): Promise<number[]> {
  const out: number[] = [];
  for await (const p of reader.pages(src, null, 100)) out.push(...p.rows.map((r) => Number(r.id)));
  return out.sort();
}

test('wallIn: a UTC wall clock in a zone, formatted like the column', () => {
  assert.equal(wallIn('2026-06-15 00:30:00.123456', 'Asia/Kolkata', '2026-01-01 00:00:00.000'), '2026-06-15 06:00:00.123');
  assert.equal(wallIn('2026-06-15 00:30:00', 'America/Chicago', '2026-01-01T00:00:00'), '2026-06-14T19:30:00');
  assert.equal(wallIn('2026-06-15 00:30:00.5', 'UTC', '2026-01-01 00:00:00.000000'), '2026-06-15 00:30:00.500000');
});

test('timestamp mode: plant-local change values ahead of the database zone are read at once with change.timezone', async (t) => {
  const utcRow = wall('UTC', -10_000);
  const kolkataRow = wall('Asia/Kolkata', -10_000);
  const { src, cleanup } = await fixture([
    [1, utcRow],
    [2, kolkataRow],
  ]);
  t.after(cleanup);
  const base = { table: 't', key: ['id'], column: 'updated', lookbackSeconds: 60 };
  // No zone: the database's clock (UTC) bounds the read: the plant's row waits 5.5 h.
  assert.deepEqual(await ids(new TimestampReader(base), src), [1]);
  const warnings: string[] = [];
  const kolkata = new TimestampReader({ ...base, timezone: 'Asia/Kolkata', warn: (m) => warnings.push(m) });
  assert.deepEqual(await ids(kolkata, src), [1, 2]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /is 5\.5 h behind the plant's clock in Asia\/Kolkata/);
  // A zone behind the database's: the later clock (the database's) still bounds, nothing is held back.
  assert.deepEqual(await ids(new TimestampReader({ ...base, timezone: 'America/Chicago' }), src), [1]);
});

test('validate warns when the newest change value is ahead of the database clock, and says what to set', async (t) => {
  const { src, cleanup } = await fixture([[1, wall('Asia/Kolkata', -10_000)]]);
  t.after(cleanup);
  const detail = (await src.describeTable('t'))!;
  const profile = (zone?: string) =>
    ({
      name: 'p',
      table: 't',
      key: ['id'],
      change: { mode: 'timestamp', column: 'updated', lookbackSeconds: 300, timezone: zone },
      source: { driver: 'sqlite' },
    }) as unknown as Profile;
  const none = await checkChange(src, detail, profile());
  assert.equal(none.status, 'warn');
  assert.match(none.detail, /The newest updated \(.*\) is 5\.5 h ahead of the database clock/);
  assert.match(none.fix ?? '', /set change\.timezone to the plant's IANA zone/);
  const set = await checkChange(src, detail, profile('Asia/Kolkata'));
  assert.equal(set.status, 'warn');
  assert.match(set.detail, /holds plant-local time in Asia\/Kolkata.*so these rows are read/);
  const wrong = await checkChange(src, detail, profile('Europe/London'));
  assert.match(wrong.detail, /held back until it catches up/);
  assert.match(wrong.fix ?? '', /check the clock of the machine that writes updated/);
});
