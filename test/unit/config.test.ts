import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig, saveConfig, upsertProfile } from '../../core/config/load.js';
import { parseDuration } from '../../core/config/schema.js';
import { writtenProfile } from '../helpers/profile-fixtures.js';
import { MissingSecretError, redact, resolveSecret } from '../../core/config/secrets.js';

const profile = writtenProfile(
  'plant-12',
  { url: 'https://api.example.com', token: 'env:OUTPOST_TOKEN' },
  { driver: 'sqlite', file: '/data/tickets.db' },
);

test('a minimal profile gets the documented defaults', () => {
  const c = parseConfig({ profiles: [profile] });
  const p = c.profiles[0];
  assert.equal(p.environment, 'sandbox');
  assert.equal(p.change.lookbackSeconds, 300);
  assert.deepEqual(p.schedule, { every: '5s' });
  assert.equal(p.batchSize, 200);
  assert.equal(p.enabled, true);
});

test('unknown keys are refused with the path of the bad key', () => {
  assert.throws(
    () => parseConfig({ profiles: [{ ...profile, sourec: {} }] }),
    (e: Error) => e instanceof ConfigError && /profiles\[0\]\.sourec: unknown key/.test(e.message),
  );
  assert.throws(
    () => parseConfig({ profiles: [{ ...profile, source: { ...profile.source, pasword: 'x' } }] }),
    /profiles\[0\]\.source\.pasword: unknown key/,
  );
});

test('bad values are refused with their path and what is wrong', () => {
  assert.throws(() => parseConfig({ profiles: [{ ...profile, batchSize: 0 }] }), /profiles\[0\]\.batchSize/);
  assert.throws(
    () => parseConfig({ profiles: [{ ...profile, source: { driver: 'postgres' } }] }),
    /profiles\[0\]\.source\.host: is required for the postgres driver/,
  );
  assert.throws(
    () => parseConfig({ profiles: [{ ...profile, change: { mode: 'timestamp' } }] }),
    /change\.column: is required for change mode timestamp/,
  );
  assert.throws(() => parseConfig({ profiles: [{ ...profile, schedule: { every: 'soon' } }] }), /schedule\.every: must be a duration/);
  assert.throws(() => parseConfig({ profiles: [profile, profile] }), /duplicates profile "plant-12"/);
});

test('files: a missing or broken file says what to do; saves are atomic and private', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-config-'));
  assert.throws(() => loadConfig(join(dir, 'nope.json')), /run "outpost setup"/);
  writeFileSync(join(dir, 'bad.json'), '{ nope');
  assert.throws(() => loadConfig(join(dir, 'bad.json')), /is not valid JSON/);
  const file = join(dir, 'outpost.json');
  saveConfig(file, parseConfig({ profiles: [profile] }));
  assert.equal(statSync(file).mode & 0o777, 0o600);
  upsertProfile(file, { ...parseConfig({ profiles: [profile] }).profiles[0], name: 'plant-13' });
  assert.deepEqual(
    loadConfig(file).profiles.map((p) => p.name),
    ['plant-12', 'plant-13'],
  );
  assert.match(readFileSync(file, 'utf8'), /env:OUTPOST_TOKEN/, 'env: references are kept, never resolved into the file');
});

test('secrets: env references resolve, missing ones say which variable, redact masks them', () => {
  assert.equal(resolveSecret('env:X_TOKEN', { X_TOKEN: 'abc123' }), 'abc123');
  assert.equal(resolveSecret('inline-secret', {}), 'inline-secret');
  assert.throws(
    () => resolveSecret('env:NOPE', {}),
    (e: Error) => e instanceof MissingSecretError && /NOPE is not set/.test(e.message),
  );
  assert.equal(redact('token s3cr3t-value in text', ['s3cr3t-value']), 'token •••• in text');
});

test('durations', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('2m'), 120000);
  assert.throws(() => parseDuration('5'), /not a duration/);
});

test('config versioning: a file without version is migrated to the current one; a newer one is refused', async () => {
  const { CONFIG_VERSION } = await import('../../core/config/schema.js');
  const { migrateConfig } = await import('../../core/config/migrate.js');
  assert.equal(CONFIG_VERSION, 1);
  const old = migrateConfig({ profiles: [profile] });
  assert.deepEqual([old.from, old.migrated], [0, true]);
  assert.equal(parseConfig({ profiles: [profile] }).version, CONFIG_VERSION);
  assert.equal(parseConfig({ version: 1, profiles: [profile] }).version, 1);
  assert.throws(
    () => parseConfig({ version: 2, profiles: [profile] }),
    /version: the file is format 2, written by a newer Outpost .*; upgrade Outpost/,
  );
  assert.throws(() => parseConfig({ version: 'one', profiles: [profile] }), /version: must be a whole number/);
  // What this release writes carries its version and loads again unchanged.
  const dir = mkdtempSync(join(tmpdir(), 'outpost-config-v-'));
  const file = join(dir, 'outpost.json');
  writeFileSync(file, JSON.stringify({ profiles: [profile] }));
  upsertProfile(file, { ...loadConfig(file).profiles[0], name: 'plant-13' });
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).version, CONFIG_VERSION);
  assert.deepEqual(loadConfig(file), parseConfig(JSON.parse(readFileSync(file, 'utf8'))));
});

test('schedules are at least 1 s and at most 24 h', () => {
  for (const every of ['0s', '0ms', '999ms', '24.01h', '25h', '1441m']) {
    assert.throws(
      () => parseConfig({ profiles: [{ ...profile, schedule: { every } }] }),
      /schedule\.every: must be at least 1s and at most 24h/,
      every,
    );
  }
  for (const every of ['1s', '1000ms', '5m', '24h', '1440m'])
    assert.equal(parseConfig({ profiles: [{ ...profile, schedule: { every } }] }).profiles[0].schedule.every, every);
});

test('credentials inside api.url are refused with one sentence that does not repeat them', () => {
  for (const url of ['https://user:hunter2pass@api.example.com', 'https://hunter2pass@api.example.com/v1']) {
    assert.throws(
      () => parseConfig({ profiles: [{ ...profile, api: { ...profile.api, url } }] }),
      (e: Error) =>
        /api\.url: must not contain a user name or password; put the account token in api\.token instead/.test(e.message) &&
        !e.message.includes('hunter2pass'),
    );
  }
});

test('a config syntax error names the line and column and never quotes the file (it may hold a secret)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-config-json-'));
  const file = join(dir, 'outpost.json');
  const secret = 'sk_live_9aQ2xYz';
  writeFileSync(file, `{\n  "profiles": [ { "api": { "token": ${secret}abc } } ]\n}`);
  assert.throws(
    () => loadConfig(file),
    (e: Error) => /not valid JSON \(at line 2, column 37\)/.test(e.message) && !e.message.includes('sk_live'),
  );
  writeFileSync(file, `{ "token": "${secret}", }`);
  assert.throws(
    () => loadConfig(file),
    (e: Error) => /at line 1, column/.test(e.message) && !e.message.includes(secret.slice(0, 4)),
  );
  writeFileSync(file, `{ "token": "${secret}"`);
  assert.throws(
    () => loadConfig(file),
    (e: Error) => /at line 1, column/.test(e.message) && !e.message.includes(secret.slice(0, 4)),
  );
});
