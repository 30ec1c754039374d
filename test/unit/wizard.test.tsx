// The setup wizard (Ink, through ink-testing-library) and the headless path, on injected
// SetupServices. The mapping editor runs the real editor model (core/setup/editor.ts) on a real
// SQLite database, so picking a column or adding a lookup really changes how many samples map.
// ink-testing-library has no act(): every wait polls for a frame condition with a deadline.
import { describe, it, afterEach, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type {
  ConnectionResult,
  EnvCheck,
  SampleResult,
  SampleSpec,
  SetupDraft,
  SetupServices,
  TokenCheck,
  HandoffAction,
} from '../../core/setup/services.js';
import type { SourceConfig } from '../../core/config/schema.js';
import type { WizardResult } from '../../cli/wizard/index.js';
import type { SourceAdapter } from '../../core/sources/types.js';
import { waitFor as waitUntil } from '../helpers/wait.js';

// Colours on, so the test can see that an error is red. chalk reads this once, when it loads: hence
// the dynamic imports below.
process.env.FORCE_COLOR = '1';
delete process.env.NO_COLOR;
const { render, cleanup } = await import('ink-testing-library');
const { App } = await import('../../cli/wizard/App.js');
const { runWizard, canRunInk } = await import('../../cli/wizard/index.js');
const { runHeadless } = await import('../../cli/plain/headless.js');
const { pickSampleColumns, redact } = await import('../../cli/wizard/format.js');
const { evaluateMapping } = await import('../../core/setup/editor.js');
const { draftToProfile } = await import('../../core/setup/live.js');
const { loadTemplate } = await import('../../core/mapping/template.js');
const { createSource } = await import('../../core/sources/index.js');

const TOKEN = 'tok_live_S3CRET_9f8e7d';
const PASSWORD = 'pw-Hunter2-xyz';

const KEY = {
  enter: '\r',
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  esc: '\u001B',
  ctrlC: '\u0003',
  backspace: '\u007F',
};

const stripAnsi = (s: string) => s.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');

/** Polls until the last frame (ANSI stripped) satisfies the predicate; then lets React flush its effects. */
async function waitForFrame(lastFrame: () => string | undefined, predicate: (frame: string) => boolean, timeoutMs = 4000): Promise<string> {
  const { frame } = await waitUntil(
    () => `frame; last frame:\n${stripAnsi(lastFrame() ?? '')}`,
    () => {
      const f = stripAnsi(lastFrame() ?? '');
      return predicate(f) && { frame: f };
    },
    timeoutMs,
    5,
  );
  // Input listeners are attached in effects, which run after the frame is painted.
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  return frame;
}
const has = (text: string) => (frame: string) => frame.includes(text);

/** A condition the wizard's fakes record (a call, a result): polled every 5 ms. */
const waitFor = (cond: () => boolean, timeoutMs = 4000) => waitUntil('a condition', cond, timeoutMs, 5);

// ---------- a real plant database (SQLite) whose customer column matches no template ----------

let dir = '';
let plantFile = '';
let source: SourceAdapter;
let ROWS: Record<string, unknown>[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outpost-wizard-'));
  plantFile = join(dir, 'plant.db');
  const db = new Database(plantFile);
  db.exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE tickets (TicketID INTEGER PRIMARY KEY, TicketNo TEXT, TicketDate TEXT, PlantCode TEXT, cust_id INTEGER REFERENCES customers(id),
      CustName TEXT, TruckNo TEXT, ProductCode TEXT, Net REAL, UOM TEXT, VoidFlag TEXT, Kind TEXT, LastModified TEXT);`);
  db.prepare('INSERT INTO customers VALUES (?, ?)').run(1, 'Hill County Paving');
  db.prepare('INSERT INTO customers VALUES (?, ?)').run(2, 'Baker & Sons');
  const ins = db.prepare('INSERT INTO tickets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)');
  for (let i = 1; i <= 5; i++) {
    ins.run(
      i,
      `  500${i}`,
      `2026-11-02 08:1${i}:00`,
      'P12',
      i % 2 ? 1 : 2,
      i === 5 ? '' : `Customer ${i}`,
      `T-${i}`,
      `HMA-${i}`,
      40000 + i,
      'LB',
      'N',
      i === 4 ? 'TEST' : 'SALE',
      `2026-11-02 08:1${i}:00`,
    );
  }
  db.close();
  source = await createSource({ driver: 'sqlite', file: plantFile, options: {} });
  await source.connect();
  ROWS = await source.query('SELECT * FROM tickets ORDER BY TicketID');
});
after(async () => {
  await source?.close();
  rmSync(dir, { recursive: true, force: true });
});

// ---------- fake services (the editor's evaluation is the real one) ----------

interface Calls {
  checkToken: [string, string][];
  testConnection: SourceConfig[];
  pullSample: [SetupDraft, SampleSpec][];
  handoff: [SetupDraft, HandoffAction | undefined][];
}

function fakeServices(over: Partial<SetupServices> = {}): { services: SetupServices; calls: Calls } {
  const calls: Calls = { checkToken: [], testConnection: [], pullSample: [], handoff: [] };
  const services: SetupServices = {
    async checkEnvironment() {
      return [
        { name: 'node', status: 'pass', detail: 'Node.js 24.22.3' },
        { name: 'disk', status: 'warn', detail: 'only 120 MB free in /var/lib/outpost' },
      ];
    },
    async checkToken(apiUrl, token): Promise<TokenCheck> {
      calls.checkToken.push([apiUrl, token]);
      if (token !== TOKEN) return { ok: false, message: `The API refused the token ${token}: copy it again from the portal.` };
      return {
        ok: true,
        accountId: 'acc-1',
        accountName: 'Acme Paving',
        environment: 'sandbox',
        clock: { name: 'API clock', status: 'pass', detail: 'the API clock is 1 s ahead of this machine' },
      };
    },
    async testConnection(src): Promise<ConnectionResult> {
      calls.testConnection.push(src);
      if (src.host !== 'db.plant.local')
        return { ok: false, code: 'ENOTFOUND', message: `Cannot reach ${src.host ?? '?'}: check the host name.` };
      return {
        ok: true,
        serverVersion: 'PostgreSQL 16.4',
        latencyMs: 12,
        timezone: 'America/Denver',
        clock: { name: 'database clock', status: 'pass', detail: 'the database clock is 0 s ahead of this machine' },
        tables: [
          {
            name: 'public.tickets',
            rowCount: 12345,
            columns: Object.keys(ROWS[0]),
            suggestedKey: ['TicketID'],
            suggestedChangeColumn: 'LastModified',
            suggestedChangeMode: 'timestamp',
            notes: ['name says ticket', 'weight columns Net'],
            change: [
              {
                mode: 'timestamp',
                column: 'LastModified',
                ready: true,
                reason: 'LastModified looks like a last-modified time',
                needs: 'an index so polls do not scan the table: CREATE INDEX …',
              },
              {
                mode: 'increasing',
                column: 'TicketID',
                ready: true,
                reason: 'TicketID is an increasing number: edits are NOT seen',
                needs: 'a last-modified column',
              },
              { mode: 'snapshot', column: 'TicketDate', ready: true, reason: 're-read the recent tickets', needs: null },
            ],
          },
          {
            name: 'public.trucks',
            rowCount: 42,
            columns: ['TruckID', 'Updated'],
            suggestedKey: ['TruckID'],
            suggestedChangeColumn: 'Updated',
            notes: ['small table'],
          },
        ],
      };
    },
    async pullSample(draft, spec): Promise<SampleResult> {
      const s = typeof spec === 'number' ? { latest: spec } : spec;
      calls.pullSample.push([draft, s]);
      if (s.ticketNumbers) {
        const want = s.ticketNumbers.map((n) => n.replace(/^0+/, ''));
        const rows = ROWS.filter((r) =>
          want.includes(
            String(r[s.numberColumn ?? 'TicketNo'])
              .trim()
              .replace(/^0+/, ''),
          ),
        );
        return {
          columns: Object.keys(ROWS[0]),
          rows,
          notFound: s.ticketNumbers.filter((n) => !rows.some((r) => String(r.TicketNo).trim() === n.replace(/^0+/, ''))),
        };
      }
      return { columns: Object.keys(ROWS[0]), rows: ROWS.slice(0, s.latest ?? 5) };
    },
    async previewMapping() {
      return [];
    },
    async evaluateMapping(d, rows) {
      const profile = draftToProfile({ ...d, template: 'generic-scale-ticket' });
      return evaluateMapping({
        source,
        template: loadTemplate('generic-scale-ticket'),
        fields: profile.mapping.fields,
        skip: d.skip,
        rows,
        profile,
      });
    },
    async lookupOptions() {
      return [{ label: 'cust_id → customers', table: 'customers', on: { id: 'cust_id' }, columns: ['id', 'name'] }];
    },
    async handoff(draft, action) {
      calls.handoff.push([draft, action]);
      if (action === 'save')
        return { configPath: '/etc/outpost/config.json', daemon: 'not started', notes: ['Start it with "outpost start".'] };
      return {
        dashboardUrl: 'http://127.0.0.1:4711/#k=one-time',
        configPath: '/etc/outpost/config.json',
        daemon: 'started',
        notes: ['The account token is in /etc/outpost/secrets.env (mode 0600) as OUTPOST_TOKEN.'],
      };
    },
    async recentAcks() {
      return [
        { ticketNumber: '5001', action: 'created', at: '2026-11-02T14:11:00Z' },
        { ticketNumber: '5002', action: 'created', at: '2026-11-02T14:12:00Z' },
      ];
    },
    ...over,
  };
  return { services, calls };
}

function draft(over: Partial<SetupDraft> = {}): SetupDraft {
  return {
    profileName: 'plant-12',
    apiUrl: 'https://api.example.test',
    token: TOKEN,
    source: { driver: 'postgres', host: 'db.plant.local', port: 5432, database: 'scale', user: 'outpost', password: PASSWORD, options: {} },
    table: 'public.tickets',
    key: [],
    changeColumn: null,
    template: 'generic-scale-ticket',
    ...over,
  };
}

function start(initial: SetupDraft, over: Partial<SetupServices> = {}, opts: { demo?: boolean; steps?: [SetupDraft, string][] } = {}) {
  const fake = fakeServices(over);
  const results: WizardResult[] = [];
  const steps = opts.steps ?? [];
  const r = render(
    <App
      services={fake.services}
      initial={initial}
      demo={opts.demo}
      onStep={(d, s) => steps.push([d, s])}
      onDone={(x) => results.push(x)}
    />,
  );
  return { ...fake, ...r, results, steps };
}
type Run = ReturnType<typeof start>;

const press = async (app: Run, key: string, until: string | ((f: string) => boolean)) => {
  app.stdin.write(key);
  return waitForFrame(app.lastFrame, typeof until === 'string' ? has(until) : until);
};

/** Enter through the steps before `title` with the prefilled values and the suggestions. */
async function advanceTo(app: Run, title: string): Promise<void> {
  const script: [string, string][] = [
    ['Enter: start', 'Which environment'],
    ['Which environment', 'API URL'],
    ['API URL', 'Step 3 of 10'],
    ['Which database', 'Host'],
    ['Host', 'Step 4 of 10'],
    ['Which table', 'Step 5 of 10'],
    ['How should Outpost', 'Step 6 of 10'],
    ['Search:', 'Step 7 of 10'],
    ['Which tickets', 'How many'],
    ['How many', 'sample rows from'],
    ['sample rows from', 'Step 8 of 10'],
  ];
  await waitForFrame(app.lastFrame, has('Step 1 of 10'));
  for (const [ready, after] of script) {
    if (stripAnsi(app.lastFrame() ?? '').includes(title)) return;
    await waitForFrame(app.lastFrame, has(ready));
    if (stripAnsi(app.lastFrame() ?? '').includes(title)) return;
    await press(app, KEY.enter, after);
  }
  await waitForFrame(app.lastFrame, has(title));
}

/** Moves the highlight (› line) down until it shows `label`. */
async function highlight(app: Run, label: string | RegExp, max = 60): Promise<string> {
  for (let i = 0; i < max; i++) {
    const f = stripAnsi(app.lastFrame() ?? '');
    const line = f.split('\n').find((l) => l.trimStart().startsWith('›')) ?? '';
    if (typeof label === 'string' ? line.includes(label) : label.test(line)) return f;
    app.stdin.write(KEY.down);
    // Wait for the highlight itself to move (other re-renders, e.g. a finished evaluation, do not count).
    await waitForFrame(app.lastFrame, (x) => (x.split('\n').find((l) => l.trimStart().startsWith('›')) ?? '') !== line);
  }
  throw new Error(`"${String(label)}" never highlighted:\n${stripAnsi(app.lastFrame() ?? '')}`);
}

const allFrames = (app: { frames: string[] }) => app.frames.map(stripAnsi).join('\n');

afterEach(() => cleanup());

// ---------- the steps ----------

describe('wizard step 1: welcome', () => {
  it('shows the version and the machine checks, then starts on Enter', async () => {
    const app = start(draft());
    const f = await waitForFrame(app.lastFrame, has('✔ node: Node.js 24.22.3'));
    assert.match(f, /Step 1 of 10: Welcome/);
    assert.match(f, /Outpost \d+\.\d+\.\d+/);
    assert.match(f, /! disk: only 120 MB free/);
    assert.match(f, /Clock skew against the API and the database is checked at those steps/);
    const f2 = await press(app, KEY.enter, 'Step 2 of 10');
    assert.match(f2, /✔ Welcome: Outpost .*; 1 of 2 checks pass/);
  });
  it('an Enter pressed while the checks still run is kept: the wizard moves on when they end', async () => {
    let finish: (c: EnvCheck[]) => void = () => {};
    const app = start(draft(), { checkEnvironment: () => new Promise<EnvCheck[]>((r) => (finish = r)) });
    await waitForFrame(app.lastFrame, has('Checking this machine'));
    app.stdin.write(KEY.enter);
    await new Promise((r) => setTimeout(r, 100));
    assert.match(stripAnsi(app.lastFrame() ?? ''), /Step 1 of 10/, 'still on step 1 while the checks run');
    finish([{ name: 'node', status: 'pass', detail: 'Node.js 24.22.3' }]);
    const f = await waitForFrame(app.lastFrame, has('Step 2 of 10'));
    assert.match(f, /✔ Welcome: Outpost .*; 1 of 1 checks pass/);
  });
});

describe('wizard step 2: account token', () => {
  it('asks the environment, masks the token, checks it and shows the API clock', async () => {
    const app = start(draft({ environment: 'uat' }), {
      checkToken: async () => ({
        ok: true,
        accountId: 'a',
        accountName: 'Acme Paving',
        environment: 'uat',
        clock: { name: 'API clock', status: 'pass', detail: 'the API clock is 1 s ahead of this machine' },
      }),
    });
    await advanceTo(app, 'Which environment');
    const f = await waitForFrame(app.lastFrame, has('› UAT'));
    assert.match(f, /Sandbox/);
    assert.match(f, /Production/);
    const f2 = await press(app, KEY.enter, 'Token');
    assert.match(f2, /Environment: UAT/);
    assert.ok(f2.includes('•'.repeat(TOKEN.length)), 'token shown as one • per character');
    const f3 = await press(app, KEY.enter, 'Step 3 of 10');
    assert.match(f3, /✔ Account token: Acme Paving \(uat\); the API clock is 1 s ahead/);
    assert.ok(!allFrames(app).includes(TOKEN), 'token never in a frame');
  });

  it('refuses a token of another environment and says which to choose', async () => {
    const app = start(draft());
    await advanceTo(app, 'Which environment');
    await press(app, KEY.down, '› UAT');
    await press(app, KEY.enter, 'Token');
    const f = await press(app, KEY.enter, 'belongs to the sandbox environment, not uat');
    assert.match(f, /Step 2 of 10/);
    // Esc goes back to the environment list (one step back inside the step), not out of it.
    await press(app, KEY.esc, 'Which environment');
    await press(app, KEY.up, '› Sandbox');
    await press(app, KEY.enter, 'Token');
    await press(app, KEY.enter, 'Step 3 of 10');
    const patched = app.steps.at(-1)![0];
    assert.equal(patched.environment, 'sandbox');
  });

  it('shows a refused token plainly (without echoing it) and retries after retyping', async () => {
    const app = start(draft({ token: 'bad-token-1234' }));
    await advanceTo(app, 'API URL');
    const f = await press(app, KEY.enter, 'The API refused the token');
    assert.ok(f.includes('••••: copy it again'), 'the echoed token is redacted');
    await press(app, KEY.down, (fr) => /› Token/.test(fr));
    app.stdin.write(KEY.backspace.repeat('bad-token-1234'.length));
    await waitForFrame(app.lastFrame, (fr) => /› Token\s*$/m.test(fr));
    app.stdin.write(TOKEN);
    await waitForFrame(app.lastFrame, has('•'.repeat(TOKEN.length)));
    await press(app, KEY.enter, 'Step 3 of 10');
    const frames = allFrames(app);
    assert.ok(!frames.includes(TOKEN) && !frames.includes('bad-token-1234'), 'no token in any frame');
  });
});

describe('wizard step 3: database', () => {
  it("asks the driver first, then that driver's fields with hints; tests the connection", async () => {
    const app = start(draft({ source: { driver: 'mssql', options: {} } }));
    await advanceTo(app, 'Which database');
    const f = await waitForFrame(app.lastFrame, has('› SQL Server'));
    for (const d of ['SQL Server', 'PostgreSQL', 'MySQL / MariaDB', 'SQLite']) assert.ok(f.includes(d), d);
    assert.match(f, /SQL login \(not DOMAIN\\user\)/);
    await press(app, KEY.down, '› PostgreSQL');
    const f2 = await press(app, KEY.enter, 'Driver: PostgreSQL');
    assert.match(f2, /Port\s+5432/, "the driver's default port");
    assert.match(f2, /db01 or 10\.0\.0\.5/, "the focused field's hint");
    app.stdin.write('db.plant.local');
    await waitForFrame(app.lastFrame, has('db.plant.local'));
    const f3 = await press(app, KEY.enter, 'Step 4 of 10');
    assert.match(f3, /✔ Database connection: Connected: PostgreSQL 16\.4 in 12 ms/);
    assert.equal(app.calls.testConnection[0].driver, 'postgres');
  });

  it('a SQLite file has one field; Esc from the fields goes back to the driver list', async () => {
    const app = start(draft());
    await advanceTo(app, 'Which database');
    await highlight(app, 'SQLite');
    const f = await press(app, KEY.enter, 'Driver: SQLite');
    assert.match(f, /› File/);
    assert.doesNotMatch(f, /Host/);
    await press(app, KEY.esc, 'Which database');
  });

  it('shows a failed test in red and lets the user fix the host', async () => {
    const app = start(draft({ source: { ...draft().source, host: 'wrong-host' } }));
    await advanceTo(app, 'Host');
    await press(app, KEY.enter, 'Cannot reach wrong-host: check the host name.');
    assert.match(app.lastFrame() ?? '', /\u001B\[31m[^\u001B]*Cannot reach wrong-host/, 'the error is red');
    app.stdin.write(KEY.backspace.repeat('wrong-host'.length));
    await waitForFrame(app.lastFrame, (fr) => /› Host\s*$/m.test(fr));
    app.stdin.write('db.plant.local');
    await waitForFrame(app.lastFrame, (fr) => /› Host\s+db\.plant\.local/.test(fr));
    await press(app, KEY.enter, 'Step 4 of 10');
    assert.equal(app.calls.testConnection[1].password, PASSWORD, 'the prefilled password is kept');
    assert.ok(!allFrames(app).includes(PASSWORD));
  });

  it('refuses a bad port without calling the service', async () => {
    const app = start(draft());
    await advanceTo(app, 'Host');
    await press(app, KEY.down, (fr) => /› Port/.test(fr));
    app.stdin.write('x');
    await waitForFrame(app.lastFrame, has('5432x'));
    await press(app, KEY.enter, 'The port must be a number');
    assert.equal(app.calls.testConnection.length, 0);
  });
});

describe('wizard step 4: ticket table', () => {
  it('lists the tables ranked with the reasons of the highlighted one', async () => {
    const app = start(draft());
    await advanceTo(app, 'Which table');
    const f = await waitForFrame(app.lastFrame, has('› 1. public.tickets'));
    assert.match(f, /public\.tickets\s+12,345 rows/);
    assert.match(f, /· name says ticket/);
    assert.match(f, /Key: TicketID/);
    const f2 = await press(app, KEY.down, '› 2. public.trucks');
    assert.match(f2, /· small table/);
    await press(app, KEY.up, '› 1. public.tickets');
    await press(app, KEY.enter, 'Step 5 of 10');
  });
});

describe('wizard step 5: change detection', () => {
  it('preselects the suggestion with its reason and DBA needs; an override is saved as chosen', async () => {
    const app = start(draft());
    await advanceTo(app, 'How should Outpost');
    const f = await waitForFrame(app.lastFrame, (fr) => /› last-modified time \(LastModified\)\s+suggested/.test(fr));
    assert.match(f, /Why: LastModified looks like a last-modified time/);
    assert.match(f, /From a DBA: an index so polls do not scan the table/);
    const f2 = await press(app, KEY.down, '› increasing key (TicketID)');
    assert.match(f2, /edits are NOT seen/);
    const f3 = await press(app, KEY.enter, 'Step 6 of 10');
    assert.match(f3, /✔ Change detection: increasing key \(TicketID\) \(chosen over the suggestion\)/);
    const saved = app.steps.at(-1)![0];
    assert.equal(saved.changeMode, 'increasing');
    assert.equal(saved.changeColumn, 'TicketID');
  });
});

describe('wizard step 6: plant time zone', () => {
  it('suggests the database zone, searches the IANA list and shows the newest ticket time in the zone', async () => {
    const app = start(draft());
    await advanceTo(app, 'Search:');
    const f = await waitForFrame(app.lastFrame, has('Newest ticket, TicketDate'));
    assert.match(f, /Suggested: America\/Denver \(the database's time zone setting is America\/Denver\)/);
    assert.match(f, /› America\/Denver\s+UTC-0[67]:00/);
    assert.match(f, /2026-11-02 08:11 → 2026-11-02T08:11:00-07:00 \(15:11 UTC\)/);
    app.stdin.write('chicago');
    const f2 = await waitForFrame(app.lastFrame, has('› America/Chicago'));
    assert.match(f2, /Search: chicago/);
    assert.match(f2, /2026-11-02T08:11:00-06:00 \(14:11 UTC\)/, 'the sample time follows the highlighted zone');
    const f3 = await press(app, KEY.enter, 'Step 7 of 10');
    assert.match(f3, /✔ Plant time zone: America\/Chicago/);
    assert.equal(app.steps.at(-1)![0].timezone, 'America/Chicago');
  });
});

describe('wizard step 7: samples', () => {
  it('pulls typed paper-ticket numbers (5003 and 005001 find "  5003" and "  5001") from the chosen column', async () => {
    const app = start(draft());
    await advanceTo(app, 'Which tickets');
    await press(app, KEY.down, '› Ticket numbers typed');
    const f = await press(app, KEY.enter, 'Number column');
    assert.match(f, /Number column\s+TicketNo/, 'the likely column is prefilled');
    app.stdin.write('5003, 005001, 9999');
    await waitForFrame(app.lastFrame, has('5003, 005001, 9999'));
    const f2 = await press(app, KEY.enter, 'sample rows from');
    assert.match(f2, /2 sample rows from public\.tickets/);
    assert.match(f2, /Not found: 9999/);
    const [, spec] = app.calls.pullSample.at(-1)!;
    assert.deepEqual(spec, { ticketNumbers: ['5003', '005001', '9999'], numberColumn: 'TicketNo' });
    const f3 = await press(app, KEY.enter, 'Step 8 of 10');
    assert.match(f3, /✔ Sample tickets: 2 rows for 3 typed numbers from public\.tickets; not found: 9999/);
  });
});

describe('wizard step 8: the mapping editor', () => {
  it('lists required failing fields first with a mark per sample; picking a column changes the count', async () => {
    const app = start(draft());
    await advanceTo(app, 'samples map');
    const f = await waitForFrame(app.lastFrame, has('0 of 5 samples map'));
    assert.match(f, /› ✖ customer\*\s+column Customer/, 'the failing required field first, highlighted');
    assert.match(f, /✖✖✖✖✖/);
    assert.match(f, /✔ ticket number\*\s+column TicketNo · trim\s+5001\s+✔✔✔✔✔/);
    assert.match(f, /✖ customer is empty/);
    await press(app, KEY.enter, 'Take it from a column');
    await press(app, KEY.enter, 'Which column?');
    const fc = await highlight(app, 'CustName');
    assert.match(fc, /› CustName\s+Customer 1/, 'each column with its value on this sample');
    const f2 = await press(app, KEY.enter, '4 of 5 samples map');
    assert.match(f2, /customer\*\s+column CustName/);
    // Sample 5 has no CustName: → pages to it and shows why.
    for (let i = 0; i < 4; i++) app.stdin.write(KEY.right);
    const f3 = await waitForFrame(app.lastFrame, has('sample 5 of 5'));
    assert.match(f3, /ticket 5005 ✖/);
  });

  it('adds a lookup through a discovered foreign key: every sample maps', async () => {
    const app = start(draft());
    await advanceTo(app, 'samples map');
    await waitForFrame(app.lastFrame, has('0 of 5 samples map'));
    await press(app, KEY.enter, 'Look it up in another table (a foreign key)');
    await highlight(app, 'Look it up');
    await press(app, KEY.enter, 'Through which foreign key?');
    await press(app, KEY.enter, 'Which column of customers?');
    await highlight(app, 'name');
    const f = await press(app, KEY.enter, '5 of 5 samples map');
    assert.match(f, /customer\*\s+cust_id → customers\.name\s+Hill County Paving/);
    assert.match(f, /› → Done: every sample maps|→ Done: every sample maps/);
    await highlight(app, '→ Done').catch(async () => {
      for (let i = 0; i < 50; i++) app.stdin.write(KEY.up);
    });
    app.stdin.write('d');
    const f2 = await waitForFrame(app.lastFrame, has('Step 9 of 10'));
    assert.match(f2, /✔ Mapping: 5 of 5 samples map/);
    const d = app.steps.at(-1)![0];
    assert.deepEqual(d.fields?.['customer.name'], { lookup: { table: 'customers', on: { id: { column: 'cust_id' } }, column: 'name' } });
  });

  it('value maps and skip rules are picked from lists; Esc closes a panel before it goes back a step', async () => {
    const app = start(draft());
    await advanceTo(app, 'samples map');
    await waitForFrame(app.lastFrame, has('0 of 5 samples map'));
    // customer from a column first
    await press(app, KEY.enter, 'Take it from a column');
    await press(app, KEY.enter, 'Which column?');
    await highlight(app, 'CustName');
    await press(app, KEY.enter, '4 of 5 samples map');
    // a default for the empty one
    await press(app, KEY.enter, 'Add a transform');
    await press(app, KEY.esc, (f) => f.includes('4 of 5 samples map') && f.includes('Enter: change'));
    assert.match(stripAnsi(app.lastFrame() ?? ''), /Step 8 of 10/, 'Esc closed the panel, still on the mapping');
    await press(app, KEY.enter, 'Add a transform');
    await highlight(app, 'Add a transform');
    await press(app, KEY.enter, 'Trim spaces');
    await highlight(app, 'A default when empty');
    await press(app, KEY.enter, 'When empty, use');
    app.stdin.write('Cash customer');
    await waitForFrame(app.lastFrame, has('Cash customer'));
    await press(app, KEY.enter, '5 of 5 samples map');
    // a skip rule on VoidFlag = T
    await press(app, 's', 'Skip rules');
    await press(app, KEY.enter, 'Skip rows by which column?');
    await highlight(app, 'Kind');
    await press(app, KEY.enter, 'Skip the row when Kind');
    await highlight(app, 'is "TEST"');
    await press(app, KEY.enter, 'Reason shown');
    const f = await press(app, KEY.enter, '4 of 5 samples map (1 skipped by a rule)');
    assert.match(f, /s: skip rules \(1\)/);
    app.stdin.write('d');
    await waitForFrame(app.lastFrame, has('Step 9 of 10'));
    const d = app.steps.at(-1)![0];
    assert.deepEqual(d.skip, [{ if: { column: 'Kind', equals: 'TEST', caseInsensitive: true }, reason: 'Kind is "TEST"' }]);
    assert.deepEqual((d.fields?.['customer.name'] as { then: unknown[] }).then, [{ default: 'Cash customer' }]);
  });

  it('fits 80×24 while it scrolls through every field', async () => {
    const app = start(draft());
    await advanceTo(app, 'samples map');
    await waitForFrame(app.lastFrame, has('0 of 5 samples map'));
    for (let i = 0; i < 60; i++) app.stdin.write(KEY.down);
    const f = await waitForFrame(app.lastFrame, (fr) => /↑ \d+ more/.test(fr) && !/↓ \d+ more/.test(fr));
    assert.match(f, /0 of 5 samples map/, 'the count stays on screen');
    assert.match(f, /↑ \d+ more/);
  });
});

describe('wizard step 9: secrets', () => {
  it('asks where each secret goes: secrets file (default), environment variable with a name, or inline', async () => {
    const app = start(draft({ fields: { 'customer.name': { column: 'CustName', then: [{ default: 'Cash' }] } } }));
    await advanceTo(app, 'samples map');
    await waitForFrame(app.lastFrame, has('5 of 5 samples map'));
    await press(app, KEY.enter, 'Where should the account token be kept? (1 of 2)');
    const f = await waitForFrame(app.lastFrame, has('› A secrets file beside the config (mode 0600)'));
    assert.match(f, /secret:OUTPOST_TOKEN/);
    await press(app, KEY.enter, 'Where should the database password be kept? (2 of 2)');
    await press(app, KEY.down, '› An environment variable');
    await press(app, KEY.enter, 'Name of the environment variable');
    app.stdin.write(KEY.backspace.repeat(20) + 'PLANT_DB_PW');
    await waitForFrame(app.lastFrame, has('PLANT_DB_PW'));
    const f2 = await press(app, KEY.enter, 'Step 10 of 10');
    assert.match(f2, /✔ Secrets: token: secrets file \(secret:OUTPOST_TOKEN\); password: environment \(env:PLANT_DB_PW\)/);
    const d = app.steps.at(-1)![0];
    assert.deepEqual(d.secrets, { token: { kind: 'file', name: 'OUTPOST_TOKEN' }, password: { kind: 'env', name: 'PLANT_DB_PW' } });
  });
});

describe('wizard step 10: handoff', () => {
  it('when samples do not map, says how many and why, and defaults back to the mapping', async () => {
    const app = start(draft());
    await advanceTo(app, 'samples map');
    await waitForFrame(app.lastFrame, has('0 of 5 samples map'));
    app.stdin.write('d');
    await waitForFrame(app.lastFrame, has('Where should the account token'));
    await press(app, KEY.enter, 'database password');
    await press(app, KEY.enter, 'Step 10 of 10');
    const f = await waitForFrame(app.lastFrame, has('Only 0 of 5 samples map'));
    assert.match(f, /• customer is empty \(the row has no column Customer\) \(5 of 5\)/);
    assert.match(f, /› Back to the mapping/);
    await press(app, KEY.enter, 'Step 8 of 10');
    await waitForFrame(app.lastFrame, has('0 of 5 samples map'));
    assert.equal(app.calls.handoff.length, 0, 'nothing saved');
  });

  it('all map: summary, start the daemon, the first acknowledged tickets with their numbers, then done', async () => {
    const app = start(
      draft({ fields: { 'customer.name': { column: 'CustName', then: [{ default: 'Cash' }] } }, timezone: 'America/Chicago' }),
      {},
      { demo: true },
    );
    await advanceTo(app, 'samples map');
    await waitForFrame(app.lastFrame, has('› → Done: every sample maps'));
    await press(app, KEY.enter, 'Where should the account token');
    await press(app, KEY.enter, 'database password');
    const f = await press(app, KEY.enter, 'Save the profile, then:');
    assert.match(f, /Profile plant-12 \(sandbox\) → https:\/\/api\.example\.test/);
    assert.match(f, /Table public\.tickets, key TicketID, last-modified time \(LastModified\)/);
    assert.match(f, /Plant time zone America\/Chicago; template generic-scale-ticket \+ 1 field edits/);
    assert.match(f, /Mapping: 5 of 5 samples map/);
    assert.match(f, /› Start the daemon now/);
    const f2 = await press(app, KEY.enter, 'First 2 tickets acknowledged by the API');
    assert.match(f2, /✔ Daemon started/);
    assert.match(f2, /5001 \(created\), 5002 \(created\)/);
    assert.match(f2, /secrets\.env \(mode 0600\)/);
    assert.deepEqual(app.calls.handoff[0][1], 'start');
    app.stdin.write(KEY.enter);
    await waitFor(() => app.results.length === 1);
    const last = await waitForFrame(app.lastFrame, has('Setup complete.'));
    assert.match(last, /✔ Handoff: Daemon started/);
    const r = app.results[0];
    assert.equal(r.status, 'done');
    if (r.status === 'done') assert.equal(r.draft.timezone, 'America/Chicago');
    const frames = allFrames(app);
    assert.ok(!frames.includes(TOKEN) && !frames.includes(PASSWORD), 'no secret in any frame');
  });

  it('save only says the daemon was not started', async () => {
    const app = start(draft({ fields: { 'customer.name': { column: 'CustName', then: [{ default: 'Cash' }] } } }));
    await advanceTo(app, 'samples map');
    await waitForFrame(app.lastFrame, has('› → Done: every sample maps'));
    await press(app, KEY.enter, 'Where should the account token');
    await press(app, KEY.enter, 'database password');
    await press(app, KEY.enter, 'Save the profile, then:');
    await highlight(app, 'Save only');
    const f = await press(app, KEY.enter, 'Press Enter to finish');
    assert.match(f, /✔ Saved only: the daemon was not started/);
    assert.doesNotMatch(f, /Daemon started/);
    assert.doesNotMatch(f, /acknowledged/);
  });
});

describe('wizard navigation', () => {
  it('Esc goes back one step and keeps the answers', async () => {
    const app = start(draft());
    await advanceTo(app, 'How should Outpost');
    const f = await press(app, KEY.esc, 'Step 4 of 10: Ticket table');
    assert.match(f, /› 1\. public\.tickets/);
    await press(app, KEY.esc, 'Step 3 of 10');
    await press(app, KEY.esc, 'Step 2 of 10');
    await press(app, KEY.esc, 'Step 1 of 10');
    app.stdin.write(KEY.esc);
    await new Promise((r) => setTimeout(r, 50));
    assert.match(stripAnsi(app.lastFrame() ?? ''), /Step 1 of 10/, 'Esc on the first step stays');
    assert.equal(app.results.length, 0, 'Esc never quits');
  });

  it('Ctrl+C asks before quitting; n stays where it was, y quits', async () => {
    const app = start(draft());
    await advanceTo(app, 'Which table');
    const f = await press(app, KEY.ctrlC, 'Quit the setup?');
    assert.match(f, /saved \(without secrets\)/);
    await press(app, 'n', '› 1. public.tickets');
    assert.equal(app.results.length, 0);
    await press(app, KEY.ctrlC, 'Quit the setup?');
    app.stdin.write('y');
    await waitFor(() => app.results.length > 0);
    assert.deepEqual(app.results, [{ status: 'cancelled' }]);
    await waitForFrame(app.lastFrame, has('Setup cancelled.'));
  });

  it('saves the draft after every step, and resumes a saved one', async () => {
    const app = start(draft());
    await advanceTo(app, 'How should Outpost');
    assert.deepEqual(
      app.steps.map(([, s]) => s),
      ['token', 'database', 'table', 'change'],
    );
    cleanup();
    const fake = fakeServices();
    const saved = {
      draft: { ...draft({ token: '' }), timezone: 'Asia/Tokyo', changeMode: 'snapshot' as const, changeColumn: 'TicketDate' },
      step: 'zone',
      savedAt: '2026-12-01T09:00:00.000Z',
    };
    const r = render(<App services={fake.services} initial={draft()} resume={saved} onDone={() => {}} />);
    const f = await waitForFrame(r.lastFrame, has('can be resumed'));
    assert.match(f, /A setup saved at "Plant time zone" \(2026-12-01 09:00 UTC\)/);
    r.stdin.write(KEY.enter);
    await waitForFrame(r.lastFrame, has('Which environment'));
    r.stdin.write(KEY.enter);
    const f2 = await waitForFrame(r.lastFrame, has('Token'));
    assert.ok(f2.includes('•'.repeat(TOKEN.length)), 'the token given now fills the one never saved');
  });

  it('every frame fits 80 columns and 24 rows through a whole run', async () => {
    const app = start(draft({ fields: { 'customer.name': { column: 'CustName', then: [{ default: 'Cash' }] } } }));
    await advanceTo(app, 'samples map');
    await press(app, KEY.enter, 'Where should');
    await press(app, KEY.enter, 'database password');
    await press(app, KEY.enter, 'Save the profile');
    await press(app, KEY.enter, 'Press Enter to finish');
    for (const frame of app.frames.map(stripAnsi)) {
      const lines = frame.split('\n');
      assert.ok(lines.length <= 24, `a frame has ${lines.length} lines:\n${frame}`);
      // ink-testing-library renders 100 wide; the App lays out for at most that; 80-wide terminals are checked in the e2e test.
      for (const l of lines) assert.ok(l.length <= 100, `a line is ${l.length} wide: ${l}`);
    }
  });
});

// ---------- runWizard / canRunInk ----------

class FakeTtyOut extends EventEmitter {
  isTTY = true;
  columns = 80;
  rows = 24;
  out = '';
  write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
    this.out += String(chunk);
    const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }
}
class FakeTtyIn extends EventEmitter {
  isTTY = true;
  private queue: string[] = [];
  setEncoding() {}
  setRawMode() {
    return this;
  }
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read(): string | null {
    return this.queue.shift() ?? null;
  }
  send(data: string) {
    this.queue.push(data);
    this.emit('readable');
  }
}

describe('runWizard', () => {
  it('resolves cancelled after Ctrl+C and y, and unmounts', async () => {
    const out = new FakeTtyOut();
    const inp = new FakeTtyIn();
    const { services } = fakeServices();
    const p = runWizard({
      services,
      initial: draft(),
      stdout: out as unknown as NodeJS.WriteStream,
      stdin: inp as unknown as NodeJS.ReadStream,
    });
    await waitFor(() => stripAnsi(out.out).includes('Step 1 of 10'));
    await new Promise((r) => setImmediate(r));
    inp.send(KEY.ctrlC);
    await waitFor(() => stripAnsi(out.out).includes('Quit the setup?'));
    await new Promise((r) => setImmediate(r));
    inp.send('y');
    assert.deepEqual(await p, { status: 'cancelled' });
    assert.ok(!out.out.includes(TOKEN));
  });

  it('canRunInk needs both ends to be terminals', () => {
    const tty = { isTTY: true } as NodeJS.ReadStream & NodeJS.WriteStream;
    const pipe = { isTTY: false } as NodeJS.ReadStream & NodeJS.WriteStream;
    assert.equal(canRunInk(tty, tty), true);
    assert.equal(canRunInk(pipe, tty), false);
    assert.equal(canRunInk(tty, pipe), false);
  });
});

// ---------- headless ----------

describe('runHeadless', () => {
  it('runs every step without prompts, one line per step, and returns the handoff', async () => {
    const { services, calls } = fakeServices();
    const lines: string[] = [];
    const r = await runHeadless({ services, draft: draft(), log: (l) => lines.push(l) });
    assert.equal(r.daemon, 'started');
    assert.equal(lines[0], 'No terminal detected: running setup non-interactively.');
    const text = lines.join('\n');
    assert.match(text, /Step 2 of 10, Account token: Acme Paving \(sandbox\)/);
    assert.match(text, /Step 3 of 10, Database connection: Connected: PostgreSQL 16\.4 in 12 ms/);
    assert.match(text, /Step 4 of 10, Ticket table: public\.tickets \(12,345 rows\), key TicketID, changes by LastModified/);
    assert.match(text, /Step 5 of 10, Change detection: last-modified time \(LastModified\); from a DBA: an index/);
    assert.match(text, /Step 6 of 10, Plant time zone: America\/Denver \(the database's time zone setting is America\/Denver\)/);
    assert.match(text, /Step 7 of 10, Sample tickets: 5 rows/);
    assert.match(text, /Step 8 of 10, Mapping: 0 of 5 samples map; 5 filtered \(customer is empty \(the row has no column Customer\)\)/);
    assert.match(text, /Step 10 of 10, Handoff: daemon started; config saved to \/etc\/outpost\/config\.json/);
    assert.equal(calls.handoff[0][0].timezone, 'America/Denver');
    assert.equal(calls.handoff[0][0].changeMode, 'timestamp');
    assert.deepEqual(calls.handoff[0][0].key, ['TicketID'], 'key filled from the suggestion');
    assert.ok(!text.includes(TOKEN) && !text.includes(PASSWORD));
  });

  it('throws a plain error at the failing step and goes no further', async () => {
    const { services, calls } = fakeServices();
    const lines: string[] = [];
    const bad = draft({ source: { ...draft().source, host: 'wrong-host' } });
    await assert.rejects(runHeadless({ services, draft: bad, log: (l) => lines.push(l) }), {
      message: 'Setup stopped at step 3 (Database connection): Cannot reach wrong-host: check the host name.',
    });
    assert.equal(calls.pullSample.length, 0);
    assert.equal(calls.handoff.length, 0);
  });

  it('never puts the token in the error, even when the service echoes it', async () => {
    const { services } = fakeServices({
      checkToken: async () => {
        throw new Error(`401 for Bearer ${TOKEN}`);
      },
    });
    await assert.rejects(runHeadless({ services, draft: draft(), log: () => {} }), (err: Error) => {
      assert.equal(err.message, 'Setup stopped at step 2 (Account token): 401 for Bearer ••••');
      return true;
    });
  });

  it('names a missing table', async () => {
    const { services } = fakeServices();
    await assert.rejects(runHeadless({ services, draft: draft({ table: 'dbo.Nope' }), log: () => {} }), /table "dbo\.Nope" was not found/);
  });
});

describe('format helpers', () => {
  it('picks ticket/date/customer/product/net columns by name', () => {
    assert.deepEqual(
      pickSampleColumns(['TicketID', 'LastModified', 'TicketNo', 'TicketDate', 'CustomerName', 'ProductCode', 'NetTons']).map(
        (c) => c.column,
      ),
      ['TicketNo', 'TicketDate', 'CustomerName', 'ProductCode', 'NetTons'],
    );
  });
  it('redacts secrets', () => {
    assert.equal(redact('x secret-1 y secret-1', ['secret-1', undefined]), 'x •••• y ••••');
  });
});
