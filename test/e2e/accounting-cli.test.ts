// The accounting commands as a user runs them, on a table whose columns match no shipped template
// (WeighSlips): a wrong mapping and a wrong API URL in the config file, each fixed while the daemon
// runs, seen through `outpost status --json` (a first `run --once` that parks every row exits 1); `reload` refusing an invalid file; `reconcile`;
// `resend`; and a changed table refused until `profiles reset`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProfileInput } from '../../core/config/schema.js';
import { runCli, startCli } from '../helpers/cli.js';
import { SLIPS_TIMEZONE, createSlipsPlant, slipsFields } from '../helpers/slips.js';
import { waitFor } from '../helpers/wait.js';
import { testSandbox } from '../helpers/sandbox.js';

const TOKEN = 'accounting-cli-token-1';

test('CLI: mapping problem → fixed in the file; API protocol error → fixed and reloaded; reconcile, resend, reload refusal, profiles reset', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-acct-cli-'));
  const home = join(dir, 'home');
  const plantFile = join(dir, 'yard.db');
  const plant = createSlipsPlant(plantFile);
  t.after(() => plant.close());
  for (let i = 0; i < 12; i++) plant.add({ day: '2026-11-30' });
  const api = await testSandbox(t, { token: TOKEN, dbFile: join(dir, 'sandbox.db') });
  const env = { OUTPOST_HOME: home, YARD_TOKEN: TOKEN };
  const config = join(home, 'outpost.json');
  const profile = (net: string, url: string, table = 'WeighSlips'): ProfileInput => ({
    name: 'slips',
    api: { url, token: 'env:YARD_TOKEN' },
    source: { driver: 'sqlite', file: plantFile },
    table,
    key: ['SlipNo'],
    change: { mode: 'timestamp', column: 'Changed', timezone: SLIPS_TIMEZONE },
    mapping: { template: 'generic-scale-ticket', fields: slipsFields(net) },
    schedule: { every: '1s' },
    batchSize: 5,
  });
  const write = (p: unknown) => {
    mkdirSync(home, { recursive: true });
    writeFileSync(config, JSON.stringify({ profiles: [p] }, null, 2), { mode: 0o600 });
  };
  write(profile('NetTon', `${api.url}/api`));
  const status = async () =>
    JSON.parse((await runCli(['status', '--json'], env)).output) as {
      profiles: Array<Record<string, unknown>>;
      config: { error: string | null } | null;
    };

  // A first pass by hand: it ends, but every row is parked by the mapping — not a success.
  const first = await runCli(['run', '--once'], env);
  assert.equal(first.code, 1, first.output);
  assert.match(first.output, /slips: mapping problem \(run \d+\) — read 12, created 0, .*filtered 12/);
  assert.match(first.output, /resend --profile slips --filtered/);
  assert.match(first.output, /parked in all: filtered 12, skipped 0, rejected 0 — "outpost reconcile --profile slips"/);

  // The daemon starts with those rows parked and no new ones: it says so at its first pass.
  const daemon = startCli(['run', '--no-dashboard'], env);
  t.after(async () => {
    daemon.child.kill('SIGTERM');
    await daemon.exited;
  });
  let p = await waitFor(
    'mapping problem in status --json',
    async () => ((await status()).profiles[0]?.state === 'mapping problem' ? (await status()).profiles[0] : null),
    30_000,
  );
  assert.match(String(p.reason), /filtered all of the last 12 rows/);
  assert.equal(p.filtered, 12);
  assert.ok(p.lastError);

  // The mapping is fixed in the file (the daemon watches it); the URL is still wrong.
  write(profile('NetTons', `${api.url}/api`));
  p = await waitFor(
    'API protocol error',
    async () => ((await status()).profiles[0]?.state === 'API protocol error' ? (await status()).profiles[0] : null),
    30_000,
  );
  assert.match(String(p.reason), /answered 404 \(no such route\)/);
  assert.equal(p.rejected, 0);
  assert.equal(api.stats().tickets, 0);

  // The URL is fixed; `outpost reload` applies it at once.
  write(profile('NetTons', api.url));
  const rl = await runCli(['reload'], env);
  assert.equal(rl.code, 0, rl.output);
  await waitFor('12 delivered', () => api.stats().tickets === 12, 30_000);
  p = await waitFor('idle', async () => ((await status()).profiles[0]?.state === 'idle' ? (await status()).profiles[0] : null), 20_000);
  assert.equal(p.lastError, null);
  assert.equal(p.filtered, 0);

  const rc = await runCli(['reconcile', '--profile', 'slips', '--json'], env);
  assert.equal(rc.code, 0, rc.output);
  const report = JSON.parse(rc.output) as { balanced: boolean; totals: { source: number; delivered: number } };
  assert.equal(report.balanced, true);
  assert.deepEqual([report.totals.source, report.totals.delivered], [12, 12]);

  // An invalid file is refused; the status names the key path; the old config keeps running.
  write({ ...profile('NetTons', api.url), batchSize: 'ten' });
  const bad = await runCli(['reload'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.output, /profiles\[0\]\.batchSize/);
  await waitFor('config error in status', async () => /profiles\[0\]\.batchSize/.test((await status()).config?.error ?? ''), 10_000);
  write(profile('NetTons', api.url));

  const rs = await runCli(['resend', '--profile', 'slips', '--tickets', 'S-1,S-2'], env);
  assert.equal(rs.code, 0, rs.output);
  assert.match(rs.output, /2 ticket\(s\) of slips queued/);
  assert.equal((await runCli(['resend', '--profile', 'slips'], env)).code, 2);

  daemon.child.kill('SIGTERM');
  assert.equal(await daemon.exited, 0);

  // The profile now reads another table: refused, naming profiles reset; reset asks first.
  plant.db.exec('CREATE TABLE Slips2 AS SELECT * FROM WeighSlips');
  write(profile('NetTons', api.url, 'Slips2'));
  const refused = await runCli(['run', '--once'], env);
  assert.equal(refused.code, 1);
  assert.match(refused.output, /now reads table Slips2.*built from table WeighSlips.*outpost profiles reset slips/);
  const noTty = await runCli(['profiles', 'reset', 'slips'], env);
  assert.equal(noTty.code, 2);
  assert.match(noTty.output, /Add --yes/);
  const reset = await runCli(['profiles', 'reset', 'slips', '--yes'], env);
  assert.equal(reset.code, 0, reset.output);
  const once = await runCli(['run', '--once', '--json'], env);
  assert.equal(once.code, 0, once.output);
  assert.equal(
    (JSON.parse(once.output.slice(once.output.indexOf('['))) as Array<{ summary: { read: number; created: number } }>)[0].summary.read,
    12,
  );
});
