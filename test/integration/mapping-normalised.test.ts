// Normalised plant databases, mapped without a view: on real PostgreSQL, MariaDB and SQLite, two
// schemas of our own (test/helpers/normalised.ts) get a generated starter from `outpost mapping init`
// (columns, types, foreign keys, sample values), and `outpost preview` then maps every complete
// ticket field by field as expected, with the profile overrides named in the README example
// (none for the yard schema; plant, customer and supplier for the gate schema's inbound/outbound).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import type { SourceConfig } from '../../core/config/schema.js';
import { suggestTemplates, type Template } from '../../core/mapping/index.js';
import { createSource } from '../../core/sources/index.js';
import { runCli } from '../helpers/cli.js';
import { scratchDatabase } from '../helpers/databases.js';
import {
  GATE_EXPECTED,
  GATE_SKIPPED,
  YARD_EXPECTED,
  YARD_INCOMPLETE,
  at,
  gateOverrides,
  gateSchema,
  yardSchema,
  type Flavour,
} from '../helpers/normalised.js';
import { scratchSource } from '../helpers/sources.js';

interface Scenario {
  schema: 'yard' | 'gate';
  source: SourceConfig;
  table: string;
}

const SPEC = {
  yard: {
    key: ['id'],
    change: 'updated_at',
    timezone: 'America/Chicago',
    fields: {} as Record<string, unknown>,
    expected: YARD_EXPECTED,
    incomplete: YARD_INCOMPLETE,
    skipped: [] as string[],
  },
  gate: {
    key: ['EntryID'],
    change: 'ModifiedOn',
    timezone: 'Asia/Kolkata',
    fields: gateOverrides(),
    expected: GATE_EXPECTED,
    incomplete: [] as string[],
    skipped: GATE_SKIPPED,
  },
};

async function run(t: TestContext, sc: Scenario, flavour: Flavour): Promise<void> {
  const spec = SPEC[sc.schema];
  const home = mkdtempSync(join(tmpdir(), `outpost-map-${sc.schema}-`));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const name = `${sc.schema}-${flavour}`;
  const profile = {
    name,
    api: { url: 'http://127.0.0.1:9', token: 'test-token-mapping-0001' },
    source: sc.source,
    table: sc.table,
    key: spec.key,
    change: { mode: 'timestamp', column: spec.change, lookbackSeconds: 300, timezone: spec.timezone },
    mapping: { template: 'generic-scale-ticket', fields: spec.fields },
  };
  const configFile = join(home, 'outpost.json');
  writeFileSync(configFile, JSON.stringify({ profiles: [profile] }));
  const env = { OUTPOST_HOME: home };

  const init = await runCli(['mapping', 'init', '--profile', name, '--json'], env);
  assert.equal(init.code, 0, init.output);
  const out = JSON.parse(init.output) as {
    file: string;
    fields: { path: string; confidence: number; reason: string; expression: unknown }[];
    samples: { total: number; mapped: number; skipped: number; filtered: number; problems: { problem: string }[] };
  };
  assert.equal(out.file, join(home, 'templates', `${name}.json`));
  const complete = Object.keys(spec.expected).length;
  assert.deepEqual(
    { mapped: out.samples.mapped, skipped: out.samples.skipped, filtered: out.samples.filtered },
    { mapped: complete, skipped: spec.skipped.length, filtered: spec.incomplete.length },
    JSON.stringify(out.samples.problems) + '\n' + out.fields.map((f) => `${f.path} ${f.confidence} ${f.reason}`).join('\n'),
  );
  // A second init without --force refuses to overwrite (exit 2).
  const again = await runCli(['mapping', 'init', '--profile', name], env);
  assert.equal(again.code, 2, again.output);
  assert.match(again.output, /exists; pass --force/);

  // The profile now names its site template (found in <home>/templates by name).
  writeFileSync(configFile, JSON.stringify({ profiles: [{ ...profile, mapping: { template: name, fields: spec.fields } }] }));
  const prev = await runCli(['preview', '--latest', '50', '--json'], env);
  assert.equal(prev.code, 0, prev.output);
  const p = JSON.parse(prev.output) as {
    template: string;
    samples: {
      ticketNumber: string;
      ticket: Record<string, unknown> | null;
      problems: string[];
      skipped?: boolean;
      fields: { path: string; source: string; raw?: string }[];
    }[];
  };
  assert.equal(p.template, name);
  for (const [no, want] of Object.entries(spec.expected)) {
    const s = p.samples.find((x) => x.ticketNumber === no);
    assert.ok(s?.ticket, `${flavour} ${sc.schema}: ticket ${no} is not mapped: ${JSON.stringify(s?.problems)}`);
    for (const [path, value] of Object.entries(want))
      assert.deepEqual(at(s.ticket, path), value, `${flavour} ${sc.schema} ticket ${no} ${path}`);
  }
  for (const no of spec.incomplete) {
    const s = p.samples.find((x) => x.ticketNumber === no);
    assert.ok(s && !s.ticket && s.problems.length && !s.skipped, `${no} should be filtered: ${JSON.stringify(s)}`);
  }
  for (const no of spec.skipped) {
    const s = p.samples.find((x) => x.ticketNumber === no);
    assert.ok(s && !s.ticket && s.skipped, `${no} should be skipped: ${JSON.stringify(s)}`);
    assert.match(s.problems[0], /not finished/);
  }
  // The review shows where a looked-up value comes from, and its raw value.
  const first = p.samples.find((x) => x.ticket)! as (typeof p.samples)[number] & { raw: Record<string, unknown> };
  assert.ok(!('__lookups' in first.raw), 'looked-up rows are shown per field, not as a raw column');
  if (sc.schema === 'yard') {
    const f = first.fields.find((x) => x.path === 'customer.name')!;
    assert.equal(f.source, 'customer_id → customers.name, manual_customer');
    assert.match(f.raw ?? '', /^"(Hill County Paving|Acme Roads)"/);
    assert.equal(first.fields.find((x) => x.path === 'supplier.name')!.source, 'product_id → products.supplier_id → suppliers.name');
  } else {
    assert.match(first.fields.find((x) => x.path === 'lines.0.grossWeight.value')!.source, /^EntryID → Weighment\.GrossWgt/);
  }
  // The written template is valid against the JSON Schema's own rules (it loads by name again).
  const written = JSON.parse(readFileSync(out.file, 'utf8')) as Template;
  assert.equal(written.name, name);

  // Ranked beside the shipped templates, by samples mapped: the generated one first; no shipped
  // layout (header-lines included) maps any of these rows, so none may come before it.
  const src = await createSource(sc.source);
  await src.connect();
  try {
    const samples = await src.query(`SELECT * FROM ${src.dialect.ident(sc.table)}`);
    const ranked = await suggestTemplates(src, {
      samples,
      generated: { ...written, name: 'generated' },
      timezone: spec.timezone,
      home: join(home, 'nowhere'),
    });
    assert.equal(ranked[0].template, 'generated', JSON.stringify(ranked));
    assert.equal(ranked[0].origin, 'generated');
    // With the profile's overrides the gate template maps every complete row; without them its
    // plant is empty, so it maps only what the skip rule sets apart.
    assert.equal(ranked[0].mapped, sc.schema === 'yard' ? complete : spec.skipped.length);
    for (const r of ranked.slice(1)) assert.equal(r.mapped, 0, `${r.template} maps ${r.mapped}`);
  } finally {
    await src.close();
  }
}

function sqliteFile(t: TestContext, statements: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-map-sqlite-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'plant.db');
  const db = new Database(file);
  for (const s of statements) db.exec(s);
  db.close();
  return file;
}

for (const schema of ['yard', 'gate'] as const) {
  const build = schema === 'yard' ? yardSchema : gateSchema;
  const table = schema === 'yard' ? 'tickets' : 'GateEntry';

  test(`SQLite ${schema}: mapping init + preview map every complete ticket without a view`, async (t) => {
    const file = sqliteFile(t, build('sqlite'));
    await run(t, { schema, source: { driver: 'sqlite', file } as SourceConfig, table }, 'sqlite');
  });

  test(`PostgreSQL ${schema}: mapping init + preview map every complete ticket without a view`, async (t) => {
    const s = await scratchDatabase(t, 'postgres', build('postgres'), schema === 'yard' ? 'public.tickets' : 'public."GateEntry"');
    if (!s) return;
    await s.db.exec(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO "${s.db.readOnly.user}"`);
    await run(t, { schema, source: scratchSource('postgres', s), table: `public.${table}` }, 'postgres');
  });

  test(`MariaDB ${schema}: mapping init + preview map every complete ticket without a view`, async (t) => {
    const s = await scratchDatabase(t, 'mysql', build('mysql'), table);
    if (!s) return;
    await s.db.exec(`GRANT SELECT ON \`${s.db.database}\`.* TO '${s.db.readOnly.user}'@'%'`);
    await run(t, { schema, source: scratchSource('mysql', s), table }, 'mysql');
  });
}
