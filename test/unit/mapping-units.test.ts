// Unit conversion with exact factors, decimal rounding, and numbers read from text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convert, roundTo } from '../../core/mapping/units.js';
import { Fail, toNumber } from '../../core/mapping/values.js';

test('mass conversions use the exact factors (1 STN = 2000 LBR, 1 LBR = 0.45359237 KGM, 1 TNE = 1000 KGM)', () => {
  assert.equal(convert(2000, 'LBR', 'STN'), 1);
  assert.equal(convert(45360, 'LBR', 'STN'), 22.68);
  assert.equal(convert(45361, 'LBR', 'STN'), 22.6805);
  assert.equal(convert(1, 'STN', 'LBR'), 2000);
  assert.equal(convert(22.68, 'STN', 'LBR'), 45360);
  assert.equal(convert(100, 'LBR', 'KGM'), 45.36); // 45.359237
  assert.equal(convert(100000000, 'LBR', 'KGM'), 45359237);
  assert.equal(convert(45359237, 'KGM', 'LBR'), 100000000);
  assert.equal(convert(1000, 'KGM', 'TNE'), 1);
  assert.equal(convert(1, 'TNE', 'KGM'), 1000);
  assert.equal(convert(1, 'STN', 'TNE'), 0.9072); // 0.90718474
  assert.equal(convert(1, 'TNE', 'STN'), 1.1023); // 1.10231131…
  assert.equal(convert(907.18474, 'KGM', 'STN'), 1);
  assert.equal(convert(0, 'LBR', 'STN'), 0);
  assert.equal(convert(-2000, 'LBR', 'STN'), -1);
  assert.equal(convert(22.68, 'STN', 'STN'), 22.68);
});

test('volume conversions (1 YDQ = 0.764554857984 MTQ) and refusing mass → volume', () => {
  assert.equal(convert(1, 'YDQ', 'MTQ'), 0.7646);
  assert.equal(convert(0.764554857984, 'MTQ', 'YDQ'), 1);
  assert.equal(convert(7.65, 'MTQ', 'YDQ'), 10.0058);
  const bad = convert(1, 'LBR', 'YDQ');
  assert.ok(bad instanceof Fail);
  assert.equal(bad.reason, 'unit LBR cannot be converted to YDQ');
});

test('rounding follows the decimal the number was written as', () => {
  assert.equal(roundTo(1.005, 2), 1.01);
  assert.equal(roundTo(22.680000000000003, 4), 22.68);
  assert.equal(roundTo(0.1 + 0.2, 4), 0.3);
  assert.equal(roundTo(-1.005, 2), -1.01);
  assert.equal(roundTo(1e-7, 4), 0);
  assert.equal(roundTo(123456789012.34567, 4), 123456789012.3457);
  assert.equal(roundTo(1e300, 4), 1e300);
  assert.equal(Object.is(roundTo(-0.00001, 2), 0), true);
});

test('numbers from text: strict, with thousands separators, optional decimal comma', () => {
  const n = (v: unknown, dc = false) => {
    const r = toNumber(v, dc);
    return r instanceof Fail ? r.reason : r;
  };
  assert.equal(n('1234.5'), 1234.5);
  assert.equal(n(' 12 '), 12);
  assert.equal(n('1,234.5'), 1234.5);
  assert.equal(n('1,234,567'), 1234567);
  assert.equal(n('-0.5'), -0.5);
  assert.equal(n('.5'), 0.5);
  assert.equal(n('1e3'), 1000);
  assert.equal(n('1 234,5', true), 1234.5);
  assert.equal(n('1.234,5', true), 1234.5);
  assert.equal(n('12,5', true), 12.5);
  assert.equal(n('1.5', true), '1.5 is not a number');
  assert.equal(n('12,34'), '12,34 is not a number');
  assert.equal(n('0x10'), '0x10 is not a number');
  assert.equal(n('NaN'), 'NaN is not a number');
  assert.equal(n('Infinity'), 'Infinity is not a number');
  assert.equal(n('1e400'), '1e400 is not a number');
  assert.equal(n('12abc'), '12abc is not a number');
  assert.equal(n(NaN), 'NaN is not a number');
  assert.equal(n(-Infinity), '-Infinity is not a number');
  assert.equal(n(true), 'true is not a number');
  assert.equal(n(10n), 10);
  assert.equal(n(''), null);
  assert.equal(n('   '), null);
  assert.equal(n(null), null);
});
