// `outpost logs`: the last records across rotated files, filtered by level, as text or JSON, and
// `-f` following the file through a rotation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../core/log.js';
import { runCli, startCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';

test('outpost logs shows the last records at a level, across rotations, as text or JSON; -f follows through a rotation', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'outpost-logs-'));
  const file = join(home, 'logs', 'outpost.log');
  const log = createLogger({ file, maxFileBytes: 2048, files: 3 });
  for (let i = 1; i <= 30; i++) log(i % 10 === 0 ? 'warn' : 'info', `[plant-12] record ${i}`);
  const env = { OUTPOST_HOME: home };

  const last = await runCli(['logs', '-n', '3'], env);
  assert.equal(last.code, 0, last.output);
  assert.deepEqual(
    last.output
      .trim()
      .split('\n')
      .map((l) => l.replace(/^\S+ \S+ /, '')),
    ['INFO  [plant-12] record 28', 'INFO  [plant-12] record 29', 'WARN  [plant-12] record 30'],
  );
  const warns = await runCli(['logs', '--level', 'warn', '-n', '10', '--json'], env);
  const recs = warns.output
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { level: string; msg: string; profile: string });
  assert.ok(recs.length >= 2, 'warn records from the rotated files too');
  assert.ok(recs.every((r) => r.level === 'warn' && r.profile === 'plant-12'));
  assert.equal(recs.at(-1)!.msg, 'record 30');

  const follow = startCli(['logs', '-f', '-n', '0'], env);
  t.after(() => follow.child.kill('SIGKILL'));
  // Until the follower is up (a record it prints), then a burst that rotates the file on the way.
  let n = 0;
  await waitFor(
    () => `the follower to start: ${follow.output()}`,
    () => {
      log('info', `[plant-12] ping ${++n}`);
      return follow.output().includes('ping');
    },
    20_000,
    200,
  );
  for (let i = 31; i <= 80; i++) log('info', `[plant-12] record ${i}`); // rotates on the way
  await waitFor(
    () => `record 80 in: ${follow.output()}`,
    () => follow.output().includes('record 80'),
    10_000,
  );
  assert.ok(!follow.output().includes('record 30'), '-n 0: only new records');
  log.close();
  follow.child.kill('SIGINT');
  assert.equal(await follow.exited, 0);
});
