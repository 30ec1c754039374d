// The daemon's log: JSON records, a disk budget that holds, secrets redacted by value and by key,
// levels, pretty lines for a terminal, the dashboard tap, and a failing disk that never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogTap, RotatingFile, createLogger, formatRecord, parseRecord, registerSecret, type LogRecord } from '../../core/log.js';

test('records are JSON lines with time, level, msg and the profile; below the level nothing is written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-log-'));
  const file = join(dir, 'logs', 'outpost.log');
  const tap = new LogTap();
  const log = createLogger({ file, level: 'info', tap });
  log('debug', 'not shown');
  log('info', '[plant-12] run 4 (scheduled): read 3', { runId: 4 });
  log('error', 'plain message');
  log.close();
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.length, 2);
  const r = parseRecord(lines[0])!;
  assert.equal(r.level, 'info');
  assert.equal(r.profile, 'plant-12');
  assert.equal(r.msg, 'run 4 (scheduled): read 3');
  assert.equal(r.runId, 4);
  assert.match(r.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(parseRecord(lines[1])!.level, 'error');
  assert.deepEqual(
    tap.recent().map((x) => x.msg),
    ['run 4 (scheduled): read 3', 'plain message'],
  );
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'logs')).mode & 0o777, 0o700);
});

test('secrets are redacted: known values anywhere in the message or fields, and secret-named keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-log-'));
  const file = join(dir, 'outpost.log');
  const secret = 'tok_live_5Hq9ZpXw';
  registerSecret(secret);
  const log = createLogger({ file });
  log('warn', `the API answered 400: bad token ${secret} (echoed)`);
  log('info', 'request', {
    detail: `Bearer ${secret}`,
    token: 'other-token-value-77',
    headers: { authorization: 'Basic abcdefgh' },
    encoded: encodeURIComponent(`${secret}`),
  });
  log.close();
  const text = readFileSync(file, 'utf8');
  for (const s of [secret, 'other-token-value-77', 'abcdefgh']) assert.ok(!text.includes(s), `${s} leaked: ${text}`);
  assert.match(text, /••••/);
});

test('the disk budget holds: rotated files are bounded in size and count', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-log-'));
  const file = join(dir, 'outpost.log');
  const log = createLogger({ file, maxFileBytes: 4096, files: 3 });
  for (let i = 0; i < 2000; i++) log('info', `record ${i} ${'x'.repeat(40)}`);
  log.close();
  const names = readdirSync(dir).sort();
  assert.deepEqual(names, ['outpost.log', 'outpost.log.1', 'outpost.log.2', 'outpost.log.3']);
  for (const n of names) assert.ok(statSync(join(dir, n)).size <= 4096, `${n} is ${statSync(join(dir, n)).size} bytes`);
  // The newest record is in the current file, the oldest kept ones in .3, in order.
  const last = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => parseRecord(l)!.msg);
  assert.match(last.at(-1)!, /^record 1999 /);
  const oldest = readFileSync(`${file}.3`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => Number(parseRecord(l)!.msg.split(' ')[1]));
  assert.ok(oldest[0] > 1500, 'older records were dropped, not kept');
  assert.deepEqual(
    oldest,
    [...oldest].sort((a, b) => a - b),
  );
});

test('a log write that fails (disk full) never throws; it is reported once and again when it works', (t) => {
  if (!existsSync('/dev/full')) return t.skip('no /dev/full on this OS');
  const events: Array<string | null> = [];
  const f = new RotatingFile('/dev/full', 1 << 30, 0, (code) => events.push(code));
  f.write('one\n');
  f.write('two\n');
  assert.deepEqual(events, ['ENOSPC']);
  assert.equal(f.failure, 'ENOSPC');
  assert.equal(f.dropped, 2);
  const later: Array<string | null> = [];
  const log = createLogger({ file: '/dev/full', onWriteError: (code: string | null) => void later.push(code) });
  assert.doesNotThrow(() => log('error', 'still fine'));
});

test('pretty lines for a terminal: time, level, profile, message, extra fields', () => {
  const r: LogRecord = { time: '2026-11-25T10:00:01.250Z', level: 'warn', msg: 'offline: 503', profile: 'plant-12', pid: 1, runId: 3 };
  assert.equal(formatRecord(r), '10:00:01.250 WARN  [plant-12] offline: 503 runId=3');
  assert.equal(formatRecord(r, { date: true }).slice(0, 23), '2026-11-25 10:00:01.250');
  assert.match(formatRecord(r, { color: true }), /\x1b\[33mWARN /);
  assert.equal(parseRecord('Error: a crash trace'), null);
  assert.equal(parseRecord('{"level":"nope","msg":"x","time":"t"}'), null);
});
