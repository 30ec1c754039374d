import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderService, serviceKindFor } from '../../core/service.js';
import { runCli } from '../helpers/cli.js';

const spec = { node: '/opt/node/bin/node', cli: '/opt/outpost/dist/cli/main.js', home: '/var/lib/outpost', config: '/etc/outpost/outpost.json' };

test('service files are rendered from the templates with absolute paths and no secrets', () => {
  const unit = renderService({ kind: 'systemd', ...spec, envFile: '/etc/outpost/outpost.env' }).text;
  assert.match(unit, /^ExecStart=\/opt\/node\/bin\/node --max-semi-space-size=4 \/opt\/outpost\/dist\/cli\/main\.js run --config \/etc\/outpost\/outpost\.json$/m);
  assert.match(unit, /^Environment=OUTPOST_HOME=\/var\/lib\/outpost$/m);
  assert.match(unit, /^EnvironmentFile=-\/etc\/outpost\/outpost\.env$/m);
  assert.match(unit, /^Restart=always$/m);
  assert.match(unit, /^WantedBy=multi-user\.target$/m);
  assert.doesNotMatch(unit, /\{\{/);
  const spaced = renderService({ kind: 'systemd', ...spec, node: '/opt/my node/node', user: true }).text;
  assert.match(spaced, /^ExecStart="\/opt\/my node\/node" --max-semi-space-size=4 /m);
  assert.match(spaced, /^WantedBy=default\.target$/m);
  const plist = renderService({ kind: 'launchd', ...spec, home: '/Users/a&b' }).text;
  assert.match(plist, /<string>\/Users\/a&amp;b<\/string>/);
  const task = renderService({ kind: 'windows-task', ...spec }).text;
  assert.match(task, /<Command>\/opt\/node\/bin\/node<\/Command>/);
  assert.throws(() => renderService({ kind: 'systemd', ...spec, config: '/x\nExecStartPre=/bin/evil' }), /line break/);
  assert.equal(serviceKindFor('linux'), 'systemd');
  assert.equal(serviceKindFor('win32'), 'windows-task');
});

test('outpost service install --dry-run prints the unit and the commands and changes nothing', async () => {
  const r = await runCli(['service', 'install', '--dry-run', '--user', '--config', '/tmp/outpost-test.json']);
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /run.*--config.*\/tmp\/outpost-test\.json/);
  if (process.platform === 'linux') assert.match(r.output, /\$ systemctl --user enable --now outpost\.service/);
});
