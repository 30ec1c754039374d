// The exit codes README promises, per command: every failure case below runs the built CLI as a
// process (as a script or a service manager would) and checks its code and that it said why in
// one sentence. 0 success, 1 failure, 2 bad usage or config, 3 daemon not running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runCli } from '../helpers/cli.js';
import { writtenProfile } from '../helpers/profile-fixtures.js';

const profile = writtenProfile(
  'p1',
  { url: 'http://127.0.0.1:9', token: 'env:EXIT_TEST_TOKEN' },
  { driver: 'sqlite', file: '/nonexistent/plant.db' },
);

interface Case {
  args: string[];
  code: number;
  says: RegExp;
  /** Which home: an empty one, one with a broken config, one with a valid config. */
  home?: 'empty' | 'broken' | 'valid';
}

const cases: Case[] = [
  // 2: usage
  { args: ['nope'], code: 2, says: /unknown command 'nope'/ },
  { args: ['status', '--bogus'], code: 2, says: /unknown option '--bogus'/ },
  { args: [], code: 2, says: /Usage: outpost/ },
  { args: ['logs', '--level', 'loud'], code: 2, says: /--level must be one of/ },
  { args: ['logs', '--lines', 'many'], code: 2, says: /--lines must be a whole number/ },
  { args: ['run', '--once', '--timeout', 'soon'], code: 2, says: /--timeout "soon" is not a duration/, home: 'valid' },
  { args: ['preview', '--latest', '0'], code: 2, says: /must be a whole number from 1 to 200/, home: 'valid' },
  { args: ['sandbox', '--port', 'x'], code: 2, says: /must be a port number/ },
  { args: ['review', 'export', '--json'], code: 2, says: /required option '--profile <name>'/ },
  { args: ['mapping', 'init', '--samples', '0'], code: 2, says: /--samples must be a whole number from 1 to 500/, home: 'valid' },
  { args: ['mapping', 'init', '--name', '../x'], code: 2, says: /is not a template name/, home: 'valid' },
  // 2: no config, or a broken one
  ...['run', 'start', 'sync', 'validate', 'preview', 'pause', 'resume', 'mapping init'].flatMap((c): Case[] => [
    { args: c.split(' '), code: 2, says: /There is no config file at .*; run "outpost setup" or pass --config FILE/ },
    { args: c.split(' '), code: 2, says: /is not valid JSON \(at line 1, column \d+\)/, home: 'broken' },
  ]),
  { args: ['profiles', 'list'], code: 2, says: /There is no config file/ },
  { args: ['profiles', 'show', 'nope'], code: 2, says: /There is no profile "nope"|no profile/i, home: 'valid' },
  { args: ['service', 'install', '--dry-run'], code: 2, says: /There is no config file/ },
  // 3: no daemon
  { args: ['stop'], code: 3, says: /The daemon is not running; start it with "outpost start"/ },
  { args: ['status'], code: 3, says: /daemon not running/ },
  { args: ['status', '--json'], code: 3, says: /"running": false/ },
  { args: ['dashboard', '--no-open'], code: 3, says: /not running/ },
  // 1: failure
  { args: ['logs'], code: 1, says: /There is no log at .* yet/ },
  { args: ['run', '--once', '--timeout', '2s'], code: 1, says: /p1: failed — /, home: 'valid' },
  { args: ['validate'], code: 1, says: /fail/i, home: 'valid' },
  { args: ['mapping', 'init'], code: 1, says: /The database file \/nonexistent\/plant\.db does not exist/, home: 'valid' },
  // 0
  { args: ['--version'], code: 0, says: /^\d+\.\d+\.\d+/ },
  { args: ['status', '--help'], code: 0, says: /Usage: outpost status/ },
];

function makeHome(kind: Case['home']): string {
  const home = mkdtempSync(join(tmpdir(), 'outpost-exit-'));
  if (kind === 'broken') writeFileSync(join(home, 'outpost.json'), '{ "profiles": [ { "api": { "token": sk_live_x } } ] }');
  if (kind === 'valid') writeFileSync(join(home, 'outpost.json'), JSON.stringify({ version: 1, profiles: [profile] }));
  return home;
}

for (const c of cases) {
  test(`exit ${c.code}: outpost ${c.args.join(' ') || '(no command)'}${c.home && c.home !== 'empty' ? ` (${c.home} config)` : ''}`, async () => {
    const home = makeHome(c.home);
    const r = await runCli(c.args, { OUTPOST_HOME: home, EXIT_TEST_TOKEN: 'exit-test-token-1234' });
    assert.equal(r.code, c.code, r.output);
    assert.match(r.output, c.says);
    assert.ok(!r.output.includes('sk_live'), 'a config error never quotes the file');
    assert.ok(!/\n\s+at .*\.js:\d+/.test(r.output), `no stack trace: ${r.output}`);
  });
}

test('exit 1 with one sentence on a Node older than 22, before anything native is loaded', (t) => {
  // The machine's own Node may be older than the one the tests run on (Debian's /usr/bin/node).
  const old = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => {
    const r = spawnSync(p, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' });
    return r.status === 0 && Number(r.stdout.trim()) < 22;
  });
  if (!old) {
    console.log('# no Node older than 22 on this machine: the guard is checked on this Node only by its source');
    t.skip('no Node older than 22 installed');
    return;
  }
  const home = makeHome('valid');
  mkdirSync(join(home, 'run'), { recursive: true });
  const r = spawnSync(old, [CLI, 'run', '--once'], { encoding: 'utf8', env: { ...process.env, OUTPOST_HOME: home } });
  assert.equal(r.status, 1, r.stderr);
  assert.match(
    r.stderr,
    /^error: Outpost needs Node\.js 22 or newer and this is Node \d+\.\d+\.\d+; install Node\.js 24 LTS and run it again\.\n$/,
  );
});

test('npm run build leaves dist/cli/main.js executable', () => {
  assert.ok((statSync(CLI).mode & 0o111) !== 0, 'the bin has its execute bits');
  const r = spawnSync(CLI, ['--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
