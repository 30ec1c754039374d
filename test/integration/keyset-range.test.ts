// Keyset pages are index ranges on every real server (PostgreSQL, MariaDB, SQLite): a backfill pass of
// the timestamp mode is run through the real adapter, its page statements are recorded, and the
// statement of an early and of a late page are measured by the database itself — EXPLAIN says an
// index range, and the rows the database examines (PostgreSQL: EXPLAIN ANALYZE rows + rows removed by
// the filter, and buffers; MariaDB: the handler row reads; SQLite: the virtual machine steps of the
// sqlite3 shell's .stats) do not grow with the page's position. A control statement — the old OR
// form, or MariaDB's row value without the leading bound — shows the measure does see a scan.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { TimestampReader } from '../../core/change/timestamp.js';
import type { SourceConfig } from '../../core/config/schema.js';
import { TypedValue, type Row, type SourceAdapter } from '../../core/sources/types.js';
import { scratchDatabase, skipOrFail } from '../helpers/databases.js';
import { connectedSource, scratchSource } from '../helpers/sources.js';

const ROWS = 20_000;
const PAGE = 500;
/** Four rows share each timestamp, so pages start inside groups of equal cursors. */
const TIES = 4;

function stamp(i: number): string {
  const ms = Date.parse('2026-11-21T00:00:00Z') + Math.floor(i / TIES) * 10;
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '000');
}

/** Multi-row INSERTs of the ticket rows (the same data on every server). */
function inserts(table: string, quote: (s: string) => string): string[] {
  const out: string[] = [];
  for (let from = 1; from <= ROWS; from += 1000) {
    const values: string[] = [];
    for (let i = from; i < from + 1000 && i <= ROWS; i++) values.push(`(${i}, '${stamp(i)}', 'T-${100000 + i}', '${'x'.repeat(60)}')`);
    out.push(`INSERT INTO ${table} (${['TicketID', 'LastModified', 'TicketNo', 'Pad'].map(quote).join(', ')}) VALUES ${values.join(', ')}`);
  }
  return out;
}

interface Statement {
  sql: string;
  params: unknown[];
}

/** A backfill pass through the real adapter: every row once, in order; the page statements recorded. */
async function backfill(src: SourceAdapter, table: string): Promise<Statement[]> {
  const sent: Statement[] = [];
  const recording = Object.create(src) as SourceAdapter;
  recording.query = (sql: string, params: unknown[] = []) => {
    sent.push({ sql, params });
    return src.query(sql, params);
  };
  const reader = new TimestampReader({ table, key: ['TicketID'], column: 'LastModified', lookbackSeconds: 300 });
  const ids: number[] = [];
  for await (const page of reader.pages(recording, null, PAGE)) ids.push(...page.rows.map((r: Row) => Number(r.TicketID)));
  assert.equal(ids.length, ROWS, 'every row read once');
  assert.ok(
    ids.every((id, i) => id === i + 1),
    'in (cursor, key) order, none skipped or repeated',
  );
  const pages = sent.filter((s) => /ORDER BY/.test(s.sql) && /TicketID/.test(s.sql.split('WHERE')[1]?.split('ORDER BY')[0] ?? ''));
  assert.equal(pages.length, Math.ceil(ROWS / PAGE), 'each page after the first is a keyset page');
  return pages;
}

/** An early (2nd), a middle and a late (~95 %) page statement of the pass. */
function earlyAndLate(pages: Statement[]): [Statement, Statement, Statement] {
  return [pages[0], pages[Math.floor(pages.length * 0.95)], pages[Math.floor(pages.length / 2)]];
}

const plain = (params: unknown[]) => params.map((p) => (p instanceof TypedValue ? p.value : p));

/**
 * The old page statement for the same position: the OR form without the leading bound. Taken at the
 * middle of the table, where any plan of it (a scan from the start, or a bitmap of every row after
 * the position) examines half the table.
 */
function orForm(late: Statement, q: (s: string) => string, table: string, ph: (i: number) => string): Statement {
  const [cursor, , key, upper] = plain(late.params) as [string, string, number, string];
  return {
    sql: `SELECT * FROM ${table} WHERE (${q('LastModified')} > ${ph(1)} OR (${q('LastModified')} = ${ph(2)} AND ${q('TicketID')} > ${ph(3)})) AND ${q('LastModified')} <= ${ph(4)} ORDER BY ${q('LastModified')}, ${q('TicketID')} LIMIT ${PAGE}`,
    params: [cursor, cursor, key, upper],
  };
}

test('PostgreSQL: a late keyset page is an index range and examines no more rows than an early one', async (t: TestContext) => {
  const table = 'public."Tickets"';
  const s = await scratchDatabase(
    t,
    'postgres',
    [
      `CREATE TABLE ${table} ("TicketID" integer PRIMARY KEY, "LastModified" timestamp(6) NOT NULL, "TicketNo" text NOT NULL, "Pad" text)`,
      ...inserts(table, (s) => `"${s}"`),
      `CREATE INDEX "IX_Tickets_LM" ON ${table} ("LastModified", "TicketID")`,
      `ANALYZE ${table}`,
    ],
    table,
  );
  if (!s) return;
  const { server, db } = s;
  const src = await connectedSource(t, scratchSource('postgres', s));
  const pages = await backfill(src, 'public.Tickets');
  const [early, late, middle] = earlyAndLate(pages);
  assert.match(late.sql, /\("LastModified", "TicketID"\) > \(/, 'a row-value comparison');

  const admin = new pg.Client({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password || undefined,
    database: db.database,
  });
  // The scratch database is dropped WITH (FORCE) after the test: a connection still open then is cut.
  admin.on('error', () => {});
  await admin.connect();
  const measure = async (s: Statement) => {
    const res = await admin.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${s.sql}`, plain(s.params));
    const root = (res.rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0].Plan;
    const scan = find(root, (n) => /Scan/.test(n['Node Type']))!;
    return {
      node: scan['Node Type'],
      cond: String(scan['Index Cond'] ?? ''),
      examined: scan['Actual Rows'] + (scan['Rows Removed by Filter'] ?? 0),
      buffers: scan['Shared Hit Blocks'] + scan['Shared Read Blocks'],
    };
  };
  const e = await measure(early);
  const l = await measure(late);
  t.diagnostic(`early page: ${JSON.stringify(e)}; late page: ${JSON.stringify(l)}`);
  for (const m of [e, l]) {
    assert.match(m.node, /^Index (Only )?Scan$/, 'an index scan');
    assert.match(m.cond, /ROW\("LastModified", "TicketID"\) > ROW\(/, 'the position is an index condition (a range start), not a filter');
  }
  assert.ok(l.examined <= PAGE + TIES, `late page examined ${l.examined} rows for a page of ${PAGE}`);
  assert.ok(l.examined <= e.examined + TIES, 'rows examined do not grow with the position');
  assert.ok(l.buffers <= e.buffers * 2 + 4, `late page touched ${l.buffers} buffers, early ${e.buffers}`);
  const control = await measure(
    orForm(
      middle,
      (s) => `"${s}"`,
      'public."Tickets"',
      (i) => `$${i}`,
    ),
  );
  assert.ok(
    control.examined > 10 * l.examined,
    `the OR form examines ${control.examined} rows at the middle page (the measure sees a scan)`,
  );
  await admin.end();
});

test('MariaDB: a late keyset page is an index range and reads no more index rows than an early one', async (t: TestContext) => {
  const s = await scratchDatabase(
    t,
    'mysql',
    [
      'CREATE TABLE Tickets (TicketID INT PRIMARY KEY, LastModified DATETIME(6) NOT NULL, TicketNo VARCHAR(20) NOT NULL, Pad VARCHAR(100))',
      ...inserts('Tickets', (s) => s),
      'CREATE INDEX IX_Tickets_LM ON Tickets (LastModified, TicketID)',
      'ANALYZE TABLE Tickets',
    ],
    'Tickets',
  );
  if (!s) return;
  const { server, db } = s;
  const src = await connectedSource(t, scratchSource('mysql', s));
  const pages = await backfill(src, 'Tickets');
  const [early, late, middle] = earlyAndLate(pages);
  assert.match(
    late.sql,
    /`LastModified` >= CAST\(\? AS DATETIME\(6\)\) AND \(`LastModified`, `TicketID`\) > \(/,
    'the leading bound, then the row value',
  );

  const admin = await mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database: db.database,
    dateStrings: true,
  });
  t.after(() => admin.end());
  const handlerReads = async () => {
    const [rows] = await admin.query(`SHOW SESSION STATUS LIKE 'Handler_read%'`);
    const m = new Map((rows as Array<{ Variable_name: string; Value: string }>).map((r) => [r.Variable_name, Number(r.Value)]));
    // Rows fetched through an index (first/key/next/prev/last); the SHOW itself reads rnd_next only.
    return ['Handler_read_first', 'Handler_read_key', 'Handler_read_next', 'Handler_read_prev', 'Handler_read_last'].reduce(
      (a, k) => a + (m.get(k) ?? 0),
      0,
    );
  };
  const measure = async (s: Statement) => {
    const [plan] = await admin.execute(`EXPLAIN ${s.sql}`, plain(s.params) as never[]);
    const p = (plan as Array<{ type: string; key: string | null }>)[0];
    const before = await handlerReads();
    await admin.execute(s.sql, plain(s.params) as never[]);
    return { type: p.type, key: p.key, examined: (await handlerReads()) - before };
  };
  const e = await measure(early);
  const l = await measure(late);
  t.diagnostic(`early page: ${JSON.stringify(e)}; late page: ${JSON.stringify(l)}`);
  for (const m of [e, l]) assert.deepEqual([m.type, m.key], ['range', 'IX_Tickets_LM'], 'an index range on (LastModified, TicketID)');
  assert.ok(l.examined <= PAGE + TIES + 2, `late page read ${l.examined} index rows for a page of ${PAGE}`);
  assert.ok(l.examined <= e.examined + TIES, 'index rows read do not grow with the position');
  // MariaDB's EXPLAIN says "range" for the row value alone too, yet reads from the index's start.
  const bare: Statement = {
    sql: middle.sql.replace(/`LastModified` >= CAST\(\? AS DATETIME\(6\)\) AND /, ''),
    params: middle.params.slice(1),
  };
  const control = await measure(bare);
  assert.ok(
    control.examined > 10 * l.examined,
    `without the leading bound ${control.examined} index rows are read at the middle page (the measure sees a scan)`,
  );
});

test('SQLite: a late keyset page is an index SEARCH and takes no more steps than an early one', async (t: TestContext) => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-keyset-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'plant.db');
  const w = new Database(file);
  w.exec(`CREATE TABLE "Tickets" ("TicketID" INTEGER PRIMARY KEY, "LastModified" TEXT NOT NULL, "TicketNo" TEXT NOT NULL, "Pad" TEXT)`);
  for (const s of inserts('"Tickets"', (x) => `"${x}"`)) w.exec(s);
  w.exec(`CREATE INDEX "IX_Tickets_LM" ON "Tickets" ("LastModified", "TicketID"); ANALYZE;`);
  w.close();
  const src = await connectedSource(t, { driver: 'sqlite', file } as SourceConfig);
  const pages = await backfill(src, 'Tickets');
  const [early, late, middle] = earlyAndLate(pages);
  assert.match(late.sql, /"LastModified" >= \? AND \("LastModified", "TicketID"\) > \(\?, \?\)/);

  const ro = new Database(file, { readonly: true });
  t.after(() => ro.close());
  for (const s of [early, late]) {
    const plan = (ro.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...(plain(s.params) as never[])) as Array<{ detail: string }>).map(
      (r) => r.detail,
    );
    assert.ok(
      plan.some((d) => /^SEARCH "?Tickets"? USING (COVERING )?INDEX "?IX_Tickets_LM"? \(LastModified>\?/.test(d)),
      `an index range: ${plan.join(' / ')}`,
    );
  }
  // The work: virtual machine steps of the statement, from the sqlite3 shell's .stats (the SQLite
  // library the project uses does not expose them).
  const shell = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' });
  if (shell.status !== 0) {
    skipOrFail(t, 'the sqlite3 shell is not installed (apt-get install sqlite3); the plan was checked, the step count was not');
    return;
  }
  const steps = (s: Statement): number => {
    const lit = (v: unknown) => (typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
    const script = [...plain(s.params).map((v, i) => `.parameter set ?${i + 1} ${lit(v)}`), '.stats on', `${s.sql};`].join('\n');
    const r = spawnSync('sqlite3', ['-readonly', file], { input: script, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const m = /Virtual Machine Steps:\s+(\d+)/.exec(r.stdout);
    assert.ok(m, `sqlite3 .stats printed no step count: ${r.stderr}`);
    return Number(m[1]);
  };
  const e = steps(early);
  const l = steps(late);
  t.diagnostic(`early page: ${e} steps; late page: ${l} steps`);
  assert.ok(l <= e * 1.2 + 100, `late page took ${l} steps, early ${e}`);
  const control = steps(
    orForm(
      middle,
      (x) => `"${x}"`,
      '"Tickets"',
      () => '?',
    ),
  );
  assert.ok(control > 5 * l, `the OR form takes ${control} steps at the middle page (the measure sees a scan)`);
});

interface PlanNode {
  'Node Type': string;
  'Index Cond'?: string;
  'Actual Rows': number;
  'Rows Removed by Filter'?: number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
}

function find(n: PlanNode, ok: (n: PlanNode) => boolean): PlanNode | undefined {
  if (ok(n)) return n;
  for (const c of n.Plans ?? []) {
    const f = find(c, ok);
    if (f) return f;
  }
  return undefined;
}
