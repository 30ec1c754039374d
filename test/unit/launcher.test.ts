// `outpost run` started plainly restarts itself once with the daemon's Node flags and environment
// (cli/launcher.ts): same pid (process.execve), flags in process.execArgv, no second restart.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DAEMON_ENV, DAEMON_NODE_FLAGS } from '../../core/engine/runtime.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

function probe(
  args: string[],
  extraFlags: string[] = [],
  extraEnv: Record<string, string> = {},
): { lines: Array<{ pid: number; execArgv: string[]; env: Record<string, string | undefined> }>; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-launcher-'));
  try {
    // Loaded before the CLI in every process image: prints what that process runs with.
    const script = join(dir, 'probe.mjs');
    writeFileSync(
      script,
      `process.stderr.write('PROBE ' + JSON.stringify({ pid: process.pid, execArgv: process.execArgv, env: ${JSON.stringify(Object.keys(DAEMON_ENV))}.reduce((o, k) => ({ ...o, [k]: process.env[k] }), {}) }) + '\\n');\n`,
    );
    const r = spawnSync(process.execPath, [...extraFlags, `--import=${script}`, CLI, ...args], {
      env: { ...process.env, OUTPOST_HOME: dir, OUTPOST_DAEMON_FLAGS: '', NODE_OPTIONS: '', ...extraEnv },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const lines = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('PROBE '))
      .map((l) => JSON.parse(l.slice(6)));
    return { lines, status: r.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test(
  'outpost run started plainly runs with the daemon flags, in the same process',
  { skip: typeof process.execve !== 'function' && 'process.execve is not available on this platform' },
  () => {
    const { lines, status } = probe(['run', '--config', join(tmpdir(), 'no-such-outpost-config.json')]);
    assert.equal(status, 2, 'the missing config is still reported (exit 2)');
    assert.equal(lines.length, 2, 'started once plainly, restarted once with the flags');
    const [first, second] = lines;
    for (const f of DAEMON_NODE_FLAGS) {
      assert.ok(!first.execArgv.includes(f));
      assert.ok(second.execArgv.includes(f), `${f} is set after the restart`);
    }
    assert.deepEqual(second.env, DAEMON_ENV);
    assert.equal(second.pid, first.pid, 'the same process (a service manager keeps tracking it)');
    assert.ok(
      second.execArgv.some((a) => a.startsWith('--import=')),
      'flags given by the user are kept',
    );
    assert.equal(
      probe(['--home', tmpdir(), 'run', '--config', join(tmpdir(), 'no-such-outpost-config.json')]).lines.length,
      2,
      'after the global --home too',
    );
  },
);

test('other commands, and a daemon already started with the flags, are not restarted', () => {
  assert.equal(probe(['--version']).lines.length, 1);
  assert.equal(probe(['run', '--config', join(tmpdir(), 'no-such-outpost-config.json')], DAEMON_NODE_FLAGS, DAEMON_ENV).lines.length, 1);
});
