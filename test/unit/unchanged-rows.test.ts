// A row re-read exactly as it was last found unchanged is not mapped again (core/engine/unchanged-rows.ts),
// and nothing else changes: the same counts, the same deliveries; a row whose content changed — with
// or without a new change stamp — is mapped and sent; the fingerprint tells every value apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPass, type PipelineDeps } from '../../core/engine/pipeline.js';
import { UnchangedRows, rowFingerprint } from '../../core/engine/unchanged-rows.js';
import { createDemoPlant } from '../../core/demo/plant.js';
import type { Mapper } from '../../core/mapping/index.js';
import { demoPipelineDeps } from '../helpers/pipeline.js';
import { testSandbox } from '../helpers/sandbox.js';

const TOKEN = 'unchanged-rows-token-1';

async function setup(t: import('node:test').TestContext, unchanged: UnchangedRows | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-unchanged-'));
  const plantFile = join(dir, 'plant.db');
  const seed = createDemoPlant(plantFile, { days: 1, perDay: 40, seed: 5 })!;
  const sandbox = await testSandbox(t, { token: TOKEN, dbFile: join(dir, 'sandbox.db') });
  const base = await demoPipelineDeps(t, {
    dir,
    plantFile,
    api: { url: sandbox.url, token: TOKEN },
    batchSize: 10,
    // The demo plant's rows are stamped over the last day or two: a week of lookback re-reads all of them each pass.
    change: { lookbackSeconds: 7 * 24 * 3600 },
  });
  const real = base.mapper;
  const mapped: string[] = [];
  const mapper: Mapper = Object.assign(Object.create(real) as Mapper, {
    map: (row: Record<string, unknown>, ctx: Parameters<Mapper['map']>[1]) => (mapped.push(ctx.ticketId), real.map(row, ctx)),
  });
  const deps: PipelineDeps = { ...base, mapper, unchanged };
  const plant = new Database(plantFile);
  t.after(() => plant.close());
  return { seed, sandbox, deps, mapped, plant };
}

test('rows re-read as they were are not mapped again; the counts and deliveries are those of mapping them', async (t) => {
  const cached = await setup(t, new UnchangedRows());
  const plain = await setup(t, undefined);
  const valid = cached.seed.tickets - cached.seed.incomplete;
  const passes: Array<[ReturnType<typeof summaryOf>, ReturnType<typeof summaryOf>]> = [];
  for (let i = 0; i < 3; i++) {
    passes.push([summaryOf(await runPass(cached.deps, 'manual')), summaryOf(await runPass(plain.deps, 'manual'))]);
  }
  // Counted the same with and without the cache, pass after pass.
  for (const [a, b] of passes) assert.deepEqual(a, b);
  assert.equal(passes[0][0].created, valid);
  assert.equal(passes[2][0].unchanged, cached.seed.tickets);
  // Mapped: every row in passes 1 and 2 (the second finds them unchanged), then only the parked ones.
  assert.equal(plain.mapped.length, 3 * plain.seed.tickets);
  assert.equal(cached.mapped.length, 2 * cached.seed.tickets + cached.seed.incomplete);
  assert.equal(cached.sandbox.stats().tickets, valid);

  // A changed row is mapped and sent again, with a new change stamp…
  const [first] = cached.plant.prepare(`SELECT TicketID FROM Tickets WHERE Net IS NOT NULL ORDER BY TicketID LIMIT 1`).all() as Array<{
    TicketID: number;
  }>;
  cached.plant.prepare(`UPDATE Tickets SET Net = Net + 1 WHERE TicketID = ?`).run(first.TicketID);
  cached.mapped.length = 0;
  const s4 = await runPass(cached.deps, 'manual');
  assert.equal(s4.updated, 1);
  assert.deepEqual(cached.mapped.sort(), [`p1:${first.TicketID}`, ...parkedIds(cached)].sort());
  // …and without one (a database whose stamp did not move): the content is what is compared.
  const trigger = cached.plant.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'Tickets'`).all() as Array<{
    name: string;
  }>;
  for (const tr of trigger) cached.plant.exec(`DROP TRIGGER "${tr.name}"`);
  cached.plant.prepare(`UPDATE Tickets SET Driver = 'Someone Else' WHERE TicketID = ?`).run(first.TicketID);
  cached.mapped.length = 0;
  const s5 = await runPass(cached.deps, 'manual');
  assert.equal(s5.updated, 1);
  assert.ok(cached.mapped.includes(`p1:${first.TicketID}`));
  assert.equal(cached.sandbox.stats().tickets, valid);
});

test('the fingerprint tells apart values that print alike', () => {
  const fp = rowFingerprint;
  assert.notEqual(fp({ a: 1 }), fp({ a: '1' }));
  assert.notEqual(fp({ a: null }), fp({ a: 'null' }));
  assert.notEqual(fp({ a: 'x', b: 'y' }), fp({ a: 'x4:b1:y', b: '' }));
  assert.notEqual(fp({ a: 10n }), fp({ a: 10 }));
  assert.notEqual(fp({ a: new Date(0) }), fp({ a: 0 }));
  assert.notEqual(fp({ a: Buffer.from([1]) }), fp({ a: Buffer.from([2]) }));
  assert.notEqual(fp({ a: { x: 1 } }), fp({ a: { x: 2 } }));
  assert.notEqual(fp({ a: 1, b: 2 }), fp({ b: 2, a: 1 }), 'column order is part of the row as the driver gives it');
  assert.equal(fp({ a: 'x', b: [{ c: 1n }] }), fp({ a: 'x', b: [{ c: 1n }] }));
});

test('the memory of unchanged rows is bounded', () => {
  const u = new UnchangedRows();
  for (let i = 0; i < 20_000; i++) u.remember(`p:${i}`, 'f');
  assert.equal(u.size, 20_000);
  u.remember('p:new', 'f');
  assert.equal(u.size, 1);
  assert.equal(u.known('p:new', 'f'), true);
  assert.equal(u.known('p:new', 'g'), false);
  u.forget('p:new');
  assert.equal(u.known('p:new', 'f'), false);
});

function summaryOf(s: Awaited<ReturnType<typeof runPass>>) {
  const { runId: _r, ...counts } = s;
  void _r;
  return counts;
}

function parkedIds(s: Awaited<ReturnType<typeof setup>>): string[] {
  const rows = s.deps.store.db.prepare(`SELECT ticket_id AS id FROM ledger WHERE action IN ('filtered', 'skipped')`).all() as Array<{
    id: string;
  }>;
  return rows.map((r) => r.id);
}
