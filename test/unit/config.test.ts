import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig, saveConfig, upsertProfile } from '../../core/config/load.js';
import { parseDuration } from '../../core/config/schema.js';
import { MissingSecretError, redact, resolveSecret } from '../../core/config/secrets.js';

const profile = {
  name: 'plant-12',
  api: { url: 'https://api.example.com', token: 'env:OUTPOST_TOKEN' },
  source: { driver: 'sqlite', file: '/data/tickets.db' },
  table: 'Tickets',
  key: ['TicketID'],
  change: { mode: 'timestamp', column: 'LastModified' },
  mapping: { template: 'generic-scale-ticket' },
};

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
  assert.throws(() => parseConfig({ profiles: [{ ...profile, sourec: {} }] }), (e: Error) => e instanceof ConfigError && /profiles\[0\]\.sourec: unknown key/.test(e.message));
  assert.throws(() => parseConfig({ profiles: [{ ...profile, source: { ...profile.source, pasword: 'x' } }] }), /profiles\[0\]\.source\.pasword: unknown key/);
});

test('bad values are refused with their path and what is wrong', () => {
  assert.throws(() => parseConfig({ profiles: [{ ...profile, batchSize: 0 }] }), /profiles\[0\]\.batchSize/);
  assert.throws(() => parseConfig({ profiles: [{ ...profile, source: { driver: 'postgres' } }] }), /profiles\[0\]\.source\.host: is required for the postgres driver/);
  assert.throws(() => parseConfig({ profiles: [{ ...profile, change: { mode: 'timestamp' } }] }), /change\.column: is required for change mode timestamp/);
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
  assert.deepEqual(loadConfig(file).profiles.map((p) => p.name), ['plant-12', 'plant-13']);
  assert.match(readFileSync(file, 'utf8'), /env:OUTPOST_TOKEN/, 'env: references are kept, never resolved into the file');
});

test('secrets: env references resolve, missing ones say which variable, redact masks them', () => {
  assert.equal(resolveSecret('env:X_TOKEN', { X_TOKEN: 'abc123' }), 'abc123');
  assert.equal(resolveSecret('inline-secret', {}), 'inline-secret');
  assert.throws(() => resolveSecret('env:NOPE', {}), (e: Error) => e instanceof MissingSecretError && /NOPE is not set/.test(e.message));
  assert.equal(redact('token s3cr3t-value in text', ['s3cr3t-value']), 'token •••• in text');
});

test('durations', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('2m'), 120000);
  assert.throws(() => parseDuration('5'), /not a duration/);
});
