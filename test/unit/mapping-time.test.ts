// Plant-local times → ISO 8601 with the zone's offset, including the DST rule: fall-back (ambiguous)
// takes the earlier instant, spring-forward (nonexistent) shifts forward by the gap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeZone, Zoned, compileFormat, toZoned } from '../../core/mapping/time.js';
import { Fail } from '../../core/mapping/values.js';

const zones = new Map<string, TimeZone>();
function at(text: unknown, zone = 'America/Chicago', format?: string): { iso: string; local: string } | string {
  let z = zones.get(zone);
  if (!z) zones.set(zone, (z = new TimeZone(zone)));
  const r = toZoned(text, z, format ? compileFormat(format) : undefined);
  if (r instanceof Zoned) return { iso: r.text, local: r.local };
  if (r instanceof Fail) return r.reason;
  return 'empty';
}

/** The rules, one test each. */
const RULES = {
  standard: 'America/Chicago: standard and daylight time',
  fallBack: 'DST fall-back: an ambiguous local time takes the earlier instant (daylight offset)',
  springForward: 'DST spring-forward: a nonexistent local time moves forward by the gap',
  text: 'accepted text: space or T, optional seconds and fraction; offsets are instants shown in the plant zone',
};

// [rule, plant-local text, zone, ISO 8601 with offset, wall clock]
const CASES: Array<[keyof typeof RULES, string, string, string, string]> = [
  ['standard', '2026-01-15 08:00:00', 'America/Chicago', '2026-01-15T08:00:00-06:00', '2026-01-15T08:00:00'],
  ['standard', '2026-07-04 13:45', 'America/Chicago', '2026-07-04T13:45:00-05:00', '2026-07-04T13:45:00'],
  ['fallBack', '2026-11-01 01:30', 'America/Chicago', '2026-11-01T01:30:00-05:00', '2026-11-01T01:30:00'],
  ['fallBack', '2026-11-01 01:59:59', 'America/Chicago', '2026-11-01T01:59:59-05:00', '2026-11-01T01:59:59'],
  ['fallBack', '2026-11-01 00:59:59', 'America/Chicago', '2026-11-01T00:59:59-05:00', '2026-11-01T00:59:59'],
  ['fallBack', '2026-11-01 02:00', 'America/Chicago', '2026-11-01T02:00:00-06:00', '2026-11-01T02:00:00'],
  ['fallBack', '2026-10-25 02:30', 'Europe/Berlin', '2026-10-25T02:30:00+02:00', '2026-10-25T02:30:00'],
  // Half-hour DST (Lord Howe) and a half-hour zone (St John's).
  ['fallBack', '2026-04-05 01:45', 'Australia/Lord_Howe', '2026-04-05T01:45:00+11:00', '2026-04-05T01:45:00'],
  ['fallBack', '2026-11-01 01:30', 'America/St_Johns', '2026-11-01T01:30:00-02:30', '2026-11-01T01:30:00'],
  ['springForward', '2026-03-08 02:30', 'America/Chicago', '2026-03-08T03:30:00-05:00', '2026-03-08T03:30:00'],
  ['springForward', '2026-03-08 01:59:59', 'America/Chicago', '2026-03-08T01:59:59-06:00', '2026-03-08T01:59:59'],
  ['springForward', '2026-03-08 03:00', 'America/Chicago', '2026-03-08T03:00:00-05:00', '2026-03-08T03:00:00'],
  ['springForward', '2026-03-29 02:30', 'Europe/Berlin', '2026-03-29T03:30:00+02:00', '2026-03-29T03:30:00'],
  ['springForward', '2026-10-04 02:15', 'Australia/Lord_Howe', '2026-10-04T02:45:00+11:00', '2026-10-04T02:45:00'],
  // A gap at midnight (Brazil 2018).
  ['springForward', '2018-11-04 00:30', 'America/Sao_Paulo', '2018-11-04T01:30:00-02:00', '2018-11-04T01:30:00'],
  ['text', '2026-06-01T07:05', 'America/Chicago', '2026-06-01T07:05:00-05:00', '2026-06-01T07:05:00'],
  ['text', ' 2026-06-01 07:05:09.120 ', 'America/Chicago', '2026-06-01T07:05:09.12-05:00', '2026-06-01T07:05:09'],
  ['text', '2026-06-01 07:05:09.000', 'America/Chicago', '2026-06-01T07:05:09-05:00', '2026-06-01T07:05:09'],
  ['text', '2026-06-01T12:00:00Z', 'America/Chicago', '2026-06-01T07:00:00-05:00', '2026-06-01T07:00:00'],
  ['text', '2026-06-01T12:00:00+02:00', 'America/Chicago', '2026-06-01T05:00:00-05:00', '2026-06-01T05:00:00'],
  ['text', '2026-01-01 00:00', 'Asia/Kolkata', '2026-01-01T00:00:00+05:30', '2026-01-01T00:00:00'],
  ['text', '2026-01-01 00:00', 'UTC', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00'],
];

for (const [rule, name] of Object.entries(RULES))
  test(name, () => {
    const cases = CASES.filter((c) => c[0] === rule);
    assert.ok(cases.length > 0, `no cases for ${rule}`);
    for (const [, text, zone, iso, local] of cases) assert.deepEqual(at(text, zone), { iso, local }, `${text} in ${zone}`);
  });

test('Date objects from drivers hold the wall clock in their UTC fields', () => {
  assert.deepEqual(at(new Date(Date.UTC(2026, 6, 4, 13, 45, 0))), { iso: '2026-07-04T13:45:00-05:00', local: '2026-07-04T13:45:00' });
  assert.deepEqual(at(new Date(Date.UTC(2026, 10, 1, 1, 30, 0, 250))), {
    iso: '2026-11-01T01:30:00.25-05:00',
    local: '2026-11-01T01:30:00',
  });
  assert.equal(at(new Date(NaN)), 'Invalid Date is not a date');
});

test('things that are not dates say so', () => {
  assert.equal(at('2026-13-01'), '2026-13-01 is not a date');
  assert.equal(at('2026-02-29 10:00'), '2026-02-29 10:00 is not a date');
  assert.equal(at('2028-02-29 10:00') instanceof Object, true); // leap year
  assert.equal(at('2026-06-01 24:00'), '2026-06-01 24:00 is not a date');
  assert.equal(at('2026-06-01 10:60'), '2026-06-01 10:60 is not a date');
  assert.equal(at('2026-06-01 10:00:60'), '2026-06-01 10:00:60 is not a date');
  assert.equal(at('yesterday'), 'yesterday is not a date');
  assert.equal(at('2026-06-01'), '2026-06-01 is not a date');
  assert.equal(at(45000), '45000 is not a date');
  assert.equal(at('1900-01-01 00:00:00'), '1900-01-01 00:00:00 is not a plausible date (year 1900)');
  assert.equal(at('0000-00-00 00:00:00'), '0000-00-00 00:00:00 is not a date');
  assert.equal(at(''), 'empty');
  assert.equal(at(null), 'empty');
});

test('template formats', () => {
  const us = 'MM/DD/YYYY hh:mm A';
  assert.deepEqual(at('03/14/2026 07:45 AM', 'America/Denver', us), { iso: '2026-03-14T07:45:00-06:00', local: '2026-03-14T07:45:00' });
  assert.deepEqual(at('03/14/2026 12:05 am', 'America/Denver', us), { iso: '2026-03-14T00:05:00-06:00', local: '2026-03-14T00:05:00' });
  assert.deepEqual(at('03/14/2026 12:05 PM', 'America/Denver', us), { iso: '2026-03-14T12:05:00-06:00', local: '2026-03-14T12:05:00' });
  assert.equal(at('03/14/2026 13:05 PM', 'America/Denver', us), '03/14/2026 13:05 PM is not a date');
  assert.deepEqual(at('3/7/2026 9:05:01', 'America/Chicago', 'M/D/YYYY H:mm:ss'), {
    iso: '2026-03-07T09:05:01-06:00',
    local: '2026-03-07T09:05:01',
  });
  assert.deepEqual(at('20260607T090501.5', 'America/Chicago', "YYYYMMDD'T'HHmmss.S"), {
    iso: '2026-06-07T09:05:01.5-05:00',
    local: '2026-06-07T09:05:01',
  });
  assert.deepEqual(at('07.06.2026', 'Europe/Berlin', 'DD.MM.YYYY'), { iso: '2026-06-07T00:00:00+02:00', local: '2026-06-07T00:00:00' });
  assert.throws(() => compileFormat('YYYY-MM-DD QQ'), /format token "QQ" is not supported/);
  assert.throws(() => compileFormat('HH:mm'), /needs YYYY, MM and DD/);
  assert.throws(() => compileFormat('YYYY-MM-DD hh:mm'), /hh \(12-hour\) and A \(AM\/PM\) go together/);
  assert.throws(() => compileFormat("YYYY-MM-DD 'T"), /unclosed quote/);
});

test('zones are validated', () => {
  assert.throws(() => new TimeZone('Mars/Olympus'), /is not a known IANA time zone/);
  assert.throws(() => new TimeZone('+05:00'), /is not an IANA time zone name/);
  assert.throws(() => new TimeZone(''), /is not an IANA time zone name/);
  assert.doesNotThrow(() => new TimeZone('America/Argentina/Buenos_Aires'));
  assert.doesNotThrow(() => new TimeZone('Etc/GMT+5'));
});

test('offsets are right every 15 minutes across a whole year (cache vs ICU)', () => {
  const z = new TimeZone('America/Chicago');
  const fresh = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Chicago', timeZoneName: 'longOffset' });
  const start = Date.UTC(2026, 0, 1);
  for (let t = start; t < start + 366 * 86_400_000; t += 7 * 60_000 + 13_000) {
    const name = fresh.formatToParts(t).find((p) => p.type === 'timeZoneName')!.value; // "GMT-05:00"
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name)!;
    const expected = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
    assert.equal(z.offsetAt(t), expected, new Date(t).toISOString());
  }
});

test('the cached plain path gives what instantOf + render give, around DST changes and odd offsets', () => {
  // resolveWall answers most wall times from a per-bucket offset; instantOf + render are the rule itself.
  for (const name of ['America/Chicago', 'Europe/Berlin', 'Australia/Lord_Howe', 'America/St_Johns', 'Africa/Monrovia', 'Asia/Kathmandu']) {
    const z = new TimeZone(name);
    const slow = new TimeZone(name);
    for (const year of [1971, 2026]) {
      for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 20 * 60_000 + 1000) {
        const d = new Date(t);
        const w = {
          y: year,
          mo: d.getUTCMonth() + 1,
          d: d.getUTCDate(),
          h: d.getUTCHours(),
          mi: d.getUTCMinutes(),
          s: d.getUTCSeconds(),
          frac: '',
        };
        const got = z.resolveWall(w, 'x') as Zoned;
        const want = slow.render(slow.instantOf(w), '');
        assert.deepEqual([got.text, got.local], [want.text, want.local], `${name} ${d.toISOString()}`);
      }
    }
  }
  // Date.UTC reads years 0–99 as 1900–1999: 1900 is not a leap year, so 0000-02-29 is not a date.
  assert.equal(at('0000-02-29 00:00:00'), '0000-02-29 00:00:00 is not a date');
  assert.equal(at('0004-02-29 00:00:00'), '0004-02-29 00:00:00 is not a plausible date (year 4)');
  assert.equal(at('2000-02-29 00:00:00') instanceof Object, true);
  assert.equal(at('2100-02-29 00:00:00'), '2100-02-29 00:00:00 is not a date');
  assert.deepEqual(at('2026-06-01t12:00:00'), { iso: '2026-06-01T12:00:00-05:00', local: '2026-06-01T12:00:00' });
});
