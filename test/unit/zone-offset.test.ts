// The lookback's DST check reads zone offsets from a per-15-minute cache (core/change/timestamp.ts):
// the cached offset is ICU's at every instant, across transitions, in zones with half-hour and
// 45-minute offsets too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fallBackSeconds, zoneOffsetMinutes } from '../../core/change/timestamp.js';

function icuOffset(zone: string, ms: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(ms)
    .find((p) => p.type === 'timeZoneName')!.value;
  const m = /GMT([+-])(\d\d):?(\d\d)?/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
}

test('cached zone offsets equal ICU at every instant of a year, transitions included', () => {
  for (const zone of ['America/Chicago', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns']) {
    for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 3_661_000) {
      assert.equal(zoneOffsetMinutes(zone, t), icuOffset(zone, t), `${zone} at ${new Date(t).toISOString()}`);
    }
    // Either side of each transition, to the second.
    for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 3_600_000) {
      if (icuOffset(zone, t) === icuOffset(zone, t + 3_600_000)) continue;
      for (let s = t; s <= t + 3_600_000; s += 1000) assert.equal(zoneOffsetMinutes(zone, s), icuOffset(zone, s), `${zone} at ${s}`);
    }
  }
  // The fall-back check over the same window, asked twice (the second answer comes from the cache).
  const from = Date.parse('2026-10-31T12:00:00Z');
  const to = Date.parse('2026-11-02T12:00:00Z');
  assert.equal(fallBackSeconds('America/Chicago', from, to), 3600);
  assert.equal(fallBackSeconds('America/Chicago', from, to), 3600);
});
