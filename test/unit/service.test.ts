// Service definitions for the three platforms, rendered from templates/service/ and checked: the
// systemd units with `systemd-analyze verify` (no warning at all), the XML files (WinSW service,
// Task Scheduler task, launchd plist) with xmllint for well-formedness and their key elements. The
// Windows and macOS ones are not run on their OS here (CI is Linux); README says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeServiceFile, envSecretNames, renderEnvFile, renderService, serviceKindFor } from '../../core/service.js';
import { parseConfig } from '../../core/config/load.js';
import { runCli, CLI } from '../helpers/cli.js';
import { writtenProfile } from '../helpers/profile-fixtures.js';
import { skipOrFail } from '../helpers/skip.js';

const spec = {
  node: '/opt/node/bin/node',
  cli: '/opt/outpost/dist/cli/main.js',
  home: '/var/lib/outpost',
  config: '/var/lib/outpost/outpost.json',
};
const TOKEN = 'svc-test-token-9f8e7d6c';

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function xpath(file: string, expr: string): string {
  return execFileSync('xmllint', ['--nonet', '--xpath', expr, file], { encoding: 'utf8' }).trim();
}

test('systemd: a dynamic unprivileged user, StateDirectory, the EnvironmentFile, hardening, no secret', () => {
  const unit = renderService({
    kind: 'systemd',
    ...spec,
    env: { NODE_OPTIONS: '--max-old-space-size=256' },
    secretsFile: '/var/lib/outpost/secrets.env',
  }).text;
  assert.match(unit, /^EnvironmentFile=-\/var\/lib\/outpost\/secrets\.env$/m, "the wizard's secret: file as a second EnvironmentFile");
  assert.match(
    unit,
    /^ExecStart=\/opt\/node\/bin\/node --max-semi-space-size=8 --heap-growing-percent=100 --no-allocation-site-pretenuring \/opt\/outpost\/dist\/cli\/main\.js run --home \/var\/lib\/outpost --config \/var\/lib\/outpost\/outpost\.json$/m,
  );
  assert.match(unit, /^Environment=OUTPOST_HOME=\/var\/lib\/outpost$/m);
  assert.match(unit, /^Environment=NODE_OPTIONS=--max-old-space-size=256$/m, 'extra environment lines (NODE_OPTIONS) render');
  assert.match(unit, /^EnvironmentFile=-\/etc\/outpost\/outpost\.env$/m);
  assert.match(unit, /^DynamicUser=yes$/m);
  assert.match(unit, /^StateDirectory=outpost$/m);
  assert.match(unit, /^StateDirectoryMode=0700$/m);
  assert.match(unit, /^UMask=0077$/m);
  for (const o of [
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=read-only',
    'PrivateTmp=yes',
    'CapabilityBoundingSet=',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6',
  ])
    assert.ok(unit.includes(`\n${o}\n`), o);
  assert.doesNotMatch(unit, /^MemoryDenyWriteExecute/m, 'V8 needs W+X memory');
  assert.match(unit, /^WantedBy=multi-user\.target$/m);
  assert.doesNotMatch(unit, /\{\{|\n\n\n/);
  const spaced = renderService({ kind: 'systemd', ...spec, node: '/opt/my node/node', home: '/srv/out%post', user: true }).text;
  assert.match(
    spaced,
    /^ExecStart="\/opt\/my node\/node" --max-semi-space-size=8 --heap-growing-percent=100 --no-allocation-site-pretenuring /m,
  );
  assert.match(spaced, /--home \/srv\/out%%post /, 'specifiers escaped');
  assert.match(spaced, /^EnvironmentFile=-\/srv\/out%%post\/outpost\.env$/m);
  assert.match(spaced, /^WantedBy=default\.target$/m);
  assert.doesNotMatch(spaced, /DynamicUser/);
  assert.throws(() => renderService({ kind: 'systemd', ...spec, config: '/x\nExecStartPre=/bin/evil' }), /line break/);
  assert.throws(() => renderService({ kind: 'systemd', ...spec, env: { 'A B': 'x' } }), /not a valid environment variable name/);
  assert.equal(serviceKindFor('linux'), 'systemd');
  assert.equal(serviceKindFor('darwin'), 'launchd');
  assert.equal(serviceKindFor('win32'), 'windows-service');
});

test('systemd units pass systemd-analyze verify without a single warning', (t) => {
  if (!has('systemd-analyze')) return skipOrFail(t, 'systemd-analyze is not installed (Debian package "systemd"; .ci/run installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'outpost-unit-'));
  // verify checks that ExecStart's program exists: use this Node and this build's CLI.
  const real = { node: process.execPath, cli: CLI, home: '/var/lib/outpost', config: '/var/lib/outpost/outpost.json' };
  for (const [name, text] of [
    [
      'outpost.service',
      renderService({
        kind: 'systemd',
        ...real,
        env: { NODE_OPTIONS: '--max-old-space-size=256' },
        secretsFile: '/var/lib/outpost/secrets.env',
      }).text,
    ],
    ['outpost-user.service', renderService({ kind: 'systemd', ...real, home: join(dir, 'my home'), user: true }).text],
  ] as const) {
    const file = join(dir, name);
    writeFileSync(file, text);
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${name}: ${r.stderr}${r.stdout}`);
    assert.equal(`${r.stderr}${r.stdout}`.trim(), '', `${name}: systemd-analyze had something to say`);
  }
  // And it would notice a mistake (so the check above can fail).
  const bad = join(dir, 'bad.service');
  writeFileSync(bad, renderService({ kind: 'systemd', ...real }).text.replace('ProtectSystem=strict', 'ProtectSystem=stricter'));
  assert.notEqual(spawnSync('systemd-analyze', ['verify', bad], { encoding: 'utf8' }).stderr.trim(), '');
});

test('Windows service (WinSW): automatic start, restart on failure, a stop that lets the batch finish', (t) => {
  const win = {
    node: 'C:\\Program Files\\nodejs\\node.exe',
    cli: 'C:\\Program Files\\Outpost\\dist\\cli\\main.js',
    home: 'C:\\ProgramData\\Outpost',
    config: 'C:\\ProgramData\\Outpost\\outpost.json',
  };
  const xml = renderService({ kind: 'windows-service', ...win, env: { NODE_OPTIONS: '--max-old-space-size=256' } }).text;
  assert.match(xml, /<executable>C:\\Program Files\\nodejs\\node\.exe<\/executable>/);
  assert.match(
    xml,
    /<arguments>--max-semi-space-size=8 --heap-growing-percent=100 --no-allocation-site-pretenuring "C:\\Program Files\\Outpost\\dist\\cli\\main\.js" run --home "C:\\ProgramData\\Outpost" --config "C:\\ProgramData\\Outpost\\outpost\.json"<\/arguments>/,
  );
  assert.throws(() => renderService({ kind: 'windows-service', ...win, home: 'C:\\a"b' }), /double quote/);
  const bytes = encodeServiceFile('windows-service', xml);
  assert.equal(bytes.subarray(0, 5).toString('utf8'), '<?xml');
  if (!has('xmllint')) return skipOrFail(t, 'xmllint is not installed (Debian package "libxml2-utils"; .ci/run installs it)');
  const file = join(mkdtempSync(join(tmpdir(), 'outpost-winsw-')), 'outpost-service.xml');
  writeFileSync(file, bytes);
  execFileSync('xmllint', ['--nonet', '--noout', file]);
  assert.equal(xpath(file, 'string(/service/id)'), 'outpost');
  assert.equal(xpath(file, 'string(/service/startmode)'), 'Automatic');
  assert.equal(xpath(file, 'count(/service/onfailure[@action="restart"])'), '3');
  assert.equal(xpath(file, 'string(/service/env[@name="OUTPOST_HOME"]/@value)'), 'C:\\ProgramData\\Outpost');
  assert.equal(xpath(file, 'string(/service/env[@name="NODE_OPTIONS"]/@value)'), '--max-old-space-size=256');
  assert.equal(xpath(file, 'string(/service/log/@mode)'), 'roll-by-size');
  // WinSW sends Ctrl+C and waits stoptimeout: longer than the daemon's 15 s stop grace.
  assert.ok(Number(xpath(file, 'string(/service/stoptimeout)').split(' ')[0]) > 15);
});

test('Task Scheduler fallback: UTF-16 bytes as declared, OUTPOST_HOME passed, runs as SYSTEM', (t) => {
  const win = {
    node: 'C:\\nodejs\\node.exe',
    cli: 'C:\\Outpost\\dist\\cli\\main.js',
    home: 'C:\\ProgramData\\Out & Post',
    config: 'C:\\ProgramData\\Out & Post\\outpost.json',
  };
  const text = renderService({ kind: 'windows-task', ...win }).text;
  assert.match(text, /^<\?xml version="1\.0" encoding="UTF-16"\?>/);
  assert.match(
    text,
    /<Arguments>--max-semi-space-size=8 --heap-growing-percent=100 --no-allocation-site-pretenuring "C:\\Outpost\\dist\\cli\\main\.js" run --home "C:\\ProgramData\\Out &amp; Post"/,
  );
  const bytes = encodeServiceFile('windows-task', text);
  assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe], 'UTF-16LE byte order mark');
  assert.equal(bytes.subarray(2).toString('utf16le').slice(0, 5), '<?xml');
  assert.ok(bytes.subarray(2).toString('utf16le').includes('\r\n'), 'Windows line ends');
  if (!has('xmllint')) return skipOrFail(t, 'xmllint is not installed (Debian package "libxml2-utils"; .ci/run installs it)');
  const file = join(mkdtempSync(join(tmpdir(), 'outpost-task-')), 'outpost-task.xml');
  writeFileSync(file, bytes);
  execFileSync('xmllint', ['--nonet', '--noout', file]);
  const q = (p: string) => xpath(file, `string(${p})`);
  assert.equal(q('//*[local-name()="UserId"]'), 'S-1-5-18');
  assert.equal(q('//*[local-name()="Command"]'), 'C:\\nodejs\\node.exe');
  assert.equal(q('//*[local-name()="WorkingDirectory"]'), 'C:\\ProgramData\\Out & Post');
});

test('launchd: well-formed plist with the home passed and each node flag its own argument', (t) => {
  const plist = renderService({
    kind: 'launchd',
    ...spec,
    home: '/Users/a&b',
    nodeFlags: ['--max-semi-space-size=4', '--max-old-space-size=256'],
  }).text;
  assert.match(plist, /<string>\/Users\/a&amp;b<\/string>/);
  assert.match(plist, /<string>--max-semi-space-size=4<\/string><string>--max-old-space-size=256<\/string>/);
  if (!has('xmllint')) return skipOrFail(t, 'xmllint is not installed (Debian package "libxml2-utils"; .ci/run installs it)');
  const file = join(mkdtempSync(join(tmpdir(), 'outpost-plist-')), 'com.outpost.daemon.plist');
  writeFileSync(file, plist);
  execFileSync('xmllint', ['--nonet', '--noout', file]);
  assert.equal(xpath(file, 'count(/plist/dict/array/string)'), '9');
});

test('EnvironmentFile: the env: secrets of the config, escaped, missing ones listed', () => {
  const config = parseConfig({
    profiles: [
      writtenProfile(
        'a',
        { url: 'https://api.example.com', token: 'env:OUTPOST_TOKEN' },
        { driver: 'postgres', host: 'db', password: 'env:DB_PASSWORD' },
      ),
      writtenProfile('b', { url: 'https://api.example.com', token: 'inline-token-value' }, { driver: 'sqlite', file: '/x.db' }),
    ],
  });
  assert.deepEqual(envSecretNames(config), ['DB_PASSWORD', 'OUTPOST_TOKEN']);
  const r = renderEnvFile(['DB_PASSWORD', 'OUTPOST_TOKEN'], { OUTPOST_TOKEN: 'a"b$c\\d' });
  assert.deepEqual(r.missing, ['DB_PASSWORD']);
  assert.match(r.text, /^OUTPOST_TOKEN="a\\"b\\\$c\\\\d"$/m);
  assert.match(r.text, /^# DB_PASSWORD=/m);
});

test('outpost service install --dry-run prints the unit and every step, writes nothing and shows no secret', async () => {
  const home = mkdtempSync(join(tmpdir(), 'outpost-svc-home-'));
  const config = join(home, 'outpost.json');
  writeFileSync(
    config,
    JSON.stringify({
      version: 1,
      profiles: [writtenProfile('p', { url: 'https://api.example.com', token: 'env:OUTPOST_TOKEN' }, { driver: 'sqlite', file: '/x.db' })],
    }),
  );
  writeFileSync(join(home, 'secrets.env'), `DB_PASSWORD="${TOKEN}-db"\n`, { mode: 0o600 });
  const before = statSync(config).mtimeMs;
  const user = await runCli(['service', 'install', '--dry-run', '--user', '--config', config], {
    OUTPOST_HOME: home,
    OUTPOST_TOKEN: TOKEN,
  });
  assert.equal(user.code, 0, user.output);
  assert.match(user.output, /run --home .* --config .*outpost\.json/);
  assert.ok(!user.output.includes(TOKEN), 'the token is not printed');
  if (process.platform === 'linux') {
    assert.match(user.output, /\$ systemctl --user enable --now outpost\.service/);
    assert.match(user.output, /write .*outpost\.env \(mode 0600\) — secrets, not shown/);
    const system = await runCli(['service', 'install', '--dry-run', '--config', config], { OUTPOST_HOME: home, OUTPOST_TOKEN: TOKEN });
    assert.equal(system.code, 0, system.output);
    assert.match(system.output, /DynamicUser=yes/);
    assert.match(system.output, /copy .*outpost\.json → \/var\/lib\/outpost\/outpost\.json/);
    assert.match(system.output, /write \/etc\/outpost\/outpost\.env \(mode 0600\)/);
    assert.match(system.output, /copy .*secrets\.env → \/var\/lib\/outpost\/secrets\.env/);
    assert.match(system.output, /^EnvironmentFile=-\/var\/lib\/outpost\/secrets\.env$/m);
    assert.ok(!system.output.includes(TOKEN), 'no secret printed (neither token nor the secrets file)');
  }
  assert.equal(statSync(config).mtimeMs, before);
  assert.equal(readFileSync(config, 'utf8').includes('"version": 1') || readFileSync(config, 'utf8').includes('"version":1'), true);
  const missing = await runCli(['service', 'install', '--dry-run', '--config', join(home, 'nope.json')], { OUTPOST_HOME: home });
  assert.equal(missing.code, 2, missing.output);
});
