// The lookup benchmark: a backfill of a normalised ticket table whose template reads three master
// tables (customers, products, trucks) through lookups, against the same table mapped from columns
// that hold the same values, both with `outpost run --once` into the same receiver. Goal: the rate
// with three lookups ≥ 0.8 × the rate without them (lookups are one bound IN query per lookup and
// page, cached for the pass).
//   node dist/test/bench/lookups.js [--rows 200000]      (alone: a private PostgreSQL and receiver)
// run.ts calls benchLookups() with its server and in-memory receiver and prints the rows it returns.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort, privateClient, privateSource, startPrivatePostgres, type PrivateServer } from '../helpers/private-db.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const RECEIVER = fileURLToPath(new URL('./receiver.js', import.meta.url));
const say = (s: string) => process.stderr.write(`[bench lookups] ${s}\n`);

async function load(server: PrivateServer, rows: number): Promise<void> {
  const c = await privateClient(server);
  await c.query(`DROP TABLE IF EXISTS lk_tickets, lk_customers, lk_products, lk_trucks`);
  await c.query(`CREATE TABLE lk_customers (id integer PRIMARY KEY, name text NOT NULL)`);
  await c.query(`CREATE TABLE lk_products (id integer PRIMARY KEY, code text NOT NULL, description text NOT NULL)`);
  await c.query(`CREATE TABLE lk_trucks (id integer PRIMARY KEY, plate text NOT NULL)`);
  await c.query(`INSERT INTO lk_customers SELECT i, 'Customer ' || i FROM generate_series(1, 400) i`);
  await c.query(
    `INSERT INTO lk_products SELECT i, (ARRAY['HMA-','AGG-','RMC-'])[1 + i % 3] || i, 'Product ' || i FROM generate_series(1, 60) i`,
  );
  await c.query(`INSERT INTO lk_trucks SELECT i, 'TX-' || (1000 + i) FROM generate_series(1, 300) i`);
  // The same values twice: as ids (for the lookups) and as text columns (for the plain template).
  await c.query(`CREATE TABLE lk_tickets (id integer PRIMARY KEY, ticket_no text NOT NULL, ticket_at text NOT NULL,
    customer_id integer REFERENCES lk_customers, product_id integer REFERENCES lk_products, truck_id integer REFERENCES lk_trucks,
    customer_name text, product_code text, product_desc text, truck_plate text, net double precision, updated_at timestamp(6) NOT NULL)`);
  for (let from = 1; from <= rows; from += 250_000) {
    const to = Math.min(rows, from + 249_999);
    await c.query(`INSERT INTO lk_tickets SELECT i, (100000 + i)::text, to_char(TIMESTAMP '2026-11-20 06:00:00' + (i % 43200) * INTERVAL '1 second', 'YYYY-MM-DD HH24:MI:SS'),
      1 + i % 400, 1 + i % 60, 1 + i % 300, 'Customer ' || (1 + i % 400), (ARRAY['HMA-','AGG-','RMC-'])[1 + (1 + i % 60) % 3] || (1 + i % 60), 'Product ' || (1 + i % 60),
      'TX-' || (1000 + 1 + i % 300), 30000 + i % 20000, TIMESTAMP '2026-11-21 00:00:00' + i * INTERVAL '10 milliseconds'
      FROM generate_series(${from}, ${to}) i`);
  }
  await c.query(`CREATE INDEX lk_tickets_updated ON lk_tickets (updated_at, id)`);
  await c.query(`ANALYZE`);
  await c.end();
}

const lookup = (table: string, key: string, column: string) => ({ lookup: { table, on: { id: { column: key } }, column } });

function template(name: string, withLookups: boolean): Record<string, unknown> {
  return {
    name,
    description: withLookups ? 'bench: three lookups' : 'bench: the same values from columns',
    layout: 'single-table',
    ticket: {
      ticketNumber: { column: 'ticket_no' },
      issuedAt: { column: 'ticket_at' },
      plant: { id: { const: 'P1' }, name: { const: 'Bench Plant' } },
      supplier: { name: { const: 'Bench Plant' } },
      customer: { name: withLookups ? lookup('lk_customers', 'customer_id', 'name') : { column: 'customer_name' } },
      truck: { id: withLookups ? lookup('lk_trucks', 'truck_id', 'plate') : { column: 'truck_plate' } },
    },
    lines: [
      {
        productCode: withLookups ? lookup('lk_products', 'product_id', 'code') : { column: 'product_code' },
        productDescription: withLookups ? lookup('lk_products', 'product_id', 'description') : { column: 'product_desc' },
        materialCategory: {
          ...(withLookups ? lookup('lk_products', 'product_id', 'code') : { column: 'product_code' }),
          then: [{ prefixMap: { HMA: 'asphalt', AGG: 'aggregate', RMC: 'concrete' }, default: 'other' }],
        },
        quantity: { value: { column: 'net', then: [{ convertUnit: { from: 'LBR', to: 'STN' } }] } },
        weighMethod: { const: 'scale' },
      },
    ],
  };
}

/** `outpost run --once` of one profile; tickets/s over the whole pass (process start included). */
async function backfill(
  dir: string,
  name: string,
  server: PrivateServer,
  url: string,
  token: string,
  rows: number,
  round: number,
): Promise<number> {
  // A fresh home per run: its own state database, so every run backfills the whole table.
  const home = join(dir, `home-${name}-${round}`);
  mkdirSync(join(home, 'templates'), { recursive: true });
  writeFileSync(join(home, 'templates', `${name}.json`), JSON.stringify(template(name, name === 'lk-lookups')));
  const configFile = join(home, 'outpost.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      profiles: [
        {
          name: `${name}-${round}`,
          api: { url, token: 'env:BENCH_TOKEN' },
          source: privateSource(server, 'env:BENCH_DB_PASSWORD'),
          table: 'lk_tickets',
          key: ['id'],
          change: { mode: 'timestamp', column: 'updated_at', lookbackSeconds: 300, timezone: 'America/Chicago' },
          mapping: { template: name, fields: {} },
          batchSize: 500,
        },
      ],
    }),
  );
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, 'run', '--config', configFile, '--once', '--no-dashboard'], {
    env: { ...process.env, OUTPOST_HOME: home, BENCH_TOKEN: token, BENCH_DB_PASSWORD: server.password, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  const s = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`outpost run --once (${name}) exited ${code}: ${out.slice(-2000)}`);
  const rate = rows / s;
  say(`${name}: ${rows} tickets in ${s.toFixed(1)} s = ${Math.round(rate)}/s`);
  return rate;
}

/** The rows for run.ts's table: [metric, measured, goal, met]. */
export async function benchLookups(opts: {
  server: PrivateServer;
  url: string;
  token: string;
  rows: number;
}): Promise<Array<[string, string, string, string]>> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-lookups-'));
  try {
    say(`loading ${opts.rows} normalised tickets (customers, products, trucks by id)`);
    await load(opts.server, opts.rows);
    // Alternated and best of two each: on a shared machine one run can be slowed by others' load.
    const plainRates: number[] = [];
    const lookupRates: number[] = [];
    for (let round = 1; round <= 2; round++) {
      plainRates.push(await backfill(dir, 'lk-plain', opts.server, opts.url, opts.token, opts.rows, round));
      lookupRates.push(await backfill(dir, 'lk-lookups', opts.server, opts.url, opts.token, opts.rows, round));
    }
    const plain = Math.max(...plainRates);
    const looked = Math.max(...lookupRates);
    const r = looked / plain;
    const all = (xs: number[]) => xs.map((x) => Math.round(x)).join(', ');
    return [
      ['backfill, 3 values from columns', `${Math.round(plain)} tickets/s (runs: ${all(plainRates)})`, '', ''],
      ['backfill, the same 3 values through lookups', `${Math.round(looked)} tickets/s (runs: ${all(lookupRates)})`, '', ''],
      ['lookups / columns', r.toFixed(2), '≥ 0.80', r >= 0.8 ? 'yes' : 'NO'],
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--rows');
  const rows = i > 0 ? Number(process.argv[i + 1]) : 200_000;
  const token = 'bench-token-lookups-1';
  const server = await startPrivatePostgres();
  const port = await freePort();
  const receiver = spawn(process.execPath, [RECEIVER, '--port', String(port), '--token', token], { stdio: 'ignore' });
  try {
    const url = `http://127.0.0.1:${port}`;
    for (let k = 0; k < 50; k++) {
      if (
        await fetch(`${url}/v1/whoami`, { headers: { Authorization: `Bearer ${token}` } }).then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const table = await benchLookups({ server, url, token, rows });
    console.log(`\n| metric | measured | goal | met |\n|---|---|---|---|`);
    for (const r of table) console.log(`| ${r.join(' | ')} |`);
  } finally {
    receiver.kill();
    await server.destroy();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(`bench failed: ${(e as Error).stack ?? e}`);
    process.exit(1);
  });
}
