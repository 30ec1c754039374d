// The setup wizard (Ink, through ink-testing-library) and the headless path, against fake SetupServices.
// ink-testing-library has no act(): every wait polls for a frame condition with a deadline.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ETicket } from '../../core/mapping/eticket.js';
import type {
  ConnectionResult,
  MappedSample,
  SampleResult,
  SetupDraft,
  SetupServices,
  TokenCheck,
} from '../../core/setup/services.js';
import type { SourceConfig } from '../../core/config/schema.js';
import type { WizardResult } from '../../cli/wizard/index.js';
import { waitFor } from '../helpers/wait.js';

// Colours on, so the test can see that an error is red. chalk reads this once, when it loads: hence
// the dynamic imports below.
process.env.FORCE_COLOR = '1';
delete process.env.NO_COLOR;
const { render, cleanup } = await import('ink-testing-library');
const { App } = await import('../../cli/wizard/App.js');
const { runWizard, canRunInk } = await import('../../cli/wizard/index.js');
const { runHeadless } = await import('../../cli/plain/headless.js');
const { pickSampleColumns, redact } = await import('../../cli/wizard/format.js');

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

// ---------- helpers ----------

const stripAnsi = (s: string) => s.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');

/** Polls until the last frame (ANSI stripped) satisfies the predicate; then lets React flush its effects. */
async function waitForFrame(
  lastFrame: () => string | undefined,
  predicate: (frame: string) => boolean,
  timeoutMs = 3000,
): Promise<string> {
  const { frame } = await waitFor(
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

/** A condition the wizard's fakes record (a call, a result): polled every 5 ms for 3 s. */
const until = (what: string, cond: () => boolean) => waitFor(what, cond, 3000, 5);

function ticket(row: Record<string, unknown>): ETicket {
  return {
    schemaVersion: 'eticket/v1',
    ticketId: `plant-1:${String(row.TicketID)}`,
    revision: 'r1',
    status: 'issued',
    ticketNumber: String(row.TicketNo),
    issuedAt: '2026-11-02T08:15:00-06:00',
    issuedAtLocal: '2026-11-02T08:15:00',
    plantTimeZone: 'America/Chicago',
    plant: { id: 'p1', name: 'Plant 1' },
    supplier: { name: 'Acme Paving' },
    customer: { name: String(row.CustomerName) },
    truck: { id: 'T-7' },
    lines: [
      {
        productCode: String(row.ProductCode),
        productDescription: 'Surface mix',
        materialCategory: 'asphalt',
        quantity: { value: Number(row.NetTons), unit: 'STN' },
        weighMethod: 'scale',
      },
    ],
  };
}

const ROWS: Record<string, unknown>[] = [1, 2, 3, 4, 5].map((i) => ({
  TicketID: i,
  TicketNo: `T-100${i}`,
  TicketDate: new Date(Date.UTC(2026, 10, 2, 14, i)),
  CustomerName: i === 5 ? '' : `Customer ${i}`,
  ProductCode: `HMA-${i}`,
  NetTons: 20 + i,
  LastModified: new Date(Date.UTC(2026, 10, 2, 14, i)),
}));

interface Calls {
  checkToken: [string, string][];
  testConnection: SourceConfig[];
  pullSample: [SetupDraft, number][];
  previewMapping: number;
  handoff: SetupDraft[];
}

function fakeServices(over: Partial<SetupServices> = {}): { services: SetupServices; calls: Calls } {
  const calls: Calls = { checkToken: [], testConnection: [], pullSample: [], previewMapping: 0, handoff: [] };
  const services: SetupServices = {
    async checkToken(apiUrl, token): Promise<TokenCheck> {
      calls.checkToken.push([apiUrl, token]);
      if (token !== TOKEN) return { ok: false, message: `The API refused the token ${token}: copy it again from the portal.` };
      return { ok: true, accountId: 'acc-1', accountName: 'Acme Paving', environment: 'sandbox' };
    },
    async testConnection(source): Promise<ConnectionResult> {
      calls.testConnection.push(source);
      if (source.host !== 'db.plant.local') {
        return { ok: false, code: 'ENOTFOUND', message: `Cannot reach ${source.host ?? '?'}: check the host name.` };
      }
      return {
        ok: true,
        serverVersion: 'SQL Server 2022',
        latencyMs: 12,
        tables: [
          { name: 'dbo.Customers', rowCount: 310, columns: ['CustomerID'], suggestedKey: ['CustomerID'], suggestedChangeColumn: null },
          { name: 'dbo.Tickets', rowCount: 12345, columns: Object.keys(ROWS[0]), suggestedKey: ['TicketID'], suggestedChangeColumn: 'LastModified' },
          { name: 'dbo.Trucks', rowCount: 42, columns: ['TruckID', 'Updated'], suggestedKey: ['TruckID'], suggestedChangeColumn: 'Updated' },
        ],
      };
    },
    async pullSample(draft, limit): Promise<SampleResult> {
      calls.pullSample.push([draft, limit]);
      return { columns: Object.keys(ROWS[0]), rows: ROWS.slice(0, limit) };
    },
    async previewMapping(_draft, rows): Promise<MappedSample[]> {
      calls.previewMapping++;
      return rows.map((r) =>
        r.CustomerName
          ? { ticketNumber: String(r.TicketNo), raw: r, ticket: ticket(r), problems: [] }
          : { ticketNumber: String(r.TicketNo), raw: r, ticket: null, problems: ['customer name is empty'] },
      );
    },
    async handoff(draft) {
      calls.handoff.push(draft);
      return { dashboardUrl: 'http://127.0.0.1:4711/#k=one-time', configPath: '/etc/outpost/config.json' };
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
    source: { driver: 'mssql', host: 'db.plant.local', port: 1433, database: 'Scale', user: 'outpost', password: PASSWORD, options: {} },
    table: 'dbo.Tickets',
    key: [],
    changeColumn: null,
    template: 'generic-scale-ticket',
    ...over,
  };
}

function start(initial: SetupDraft, over: Partial<SetupServices> = {}, demo = false) {
  const fake = fakeServices(over);
  const results: WizardResult[] = [];
  const r = render(<App services={fake.services} initial={initial} demo={demo} onDone={(x) => results.push(x)} />);
  return { ...fake, ...r, results };
}

/** Enter through the steps before `title` with the prefilled values. */
async function advanceTo(app: ReturnType<typeof start>, step: number): Promise<void> {
  const marks = ['', 'Step 2 of 6', 'Step 3 of 6', 'Step 4 of 6', 'Step 5 of 6', 'Step 6 of 6'];
  const ready = ['Token', 'Host', 'dbo.Tickets', 'sample rows from', 'Sample 1 of', 'Save profile'];
  await waitForFrame(app.lastFrame, has('Step 1 of 6'));
  for (let i = 0; i < step - 1; i++) {
    await waitForFrame(app.lastFrame, has(ready[i]));
    app.stdin.write(KEY.enter);
    await waitForFrame(app.lastFrame, has(marks[i + 1]));
  }
}

const allFrames = (app: { frames: string[] }) => app.frames.map(stripAnsi).join('\n');

afterEach(() => cleanup());

// ---------- the Ink wizard ----------

describe('wizard step 1: account token', () => {
  it('masks the token, checks it on Enter and moves on with the account name', async () => {
    const app = start(draft());
    const f = await waitForFrame(app.lastFrame, has('Step 1 of 6: Account token'));
    assert.match(f, /API URL\s+https:\/\/api\.example\.test/);
    assert.ok(f.includes('•'.repeat(TOKEN.length)), 'token shown as one • per character');
    app.stdin.write(KEY.enter);
    const f2 = await waitForFrame(app.lastFrame, has('Step 2 of 6'));
    assert.match(f2, /✔ Account token: Acme Paving \(sandbox\)/);
    assert.deepEqual(app.calls.checkToken, [['https://api.example.test', TOKEN]]);
    assert.ok(!allFrames(app).includes(TOKEN), 'token never in a frame');
  });

  it('shows a refused token plainly (without echoing it) and retries after the user retypes it', async () => {
    const app = start(draft({ token: 'bad-token-1234' }));
    await waitForFrame(app.lastFrame, has('Token'));
    app.stdin.write(KEY.enter);
    const f = await waitForFrame(app.lastFrame, has('The API refused the token'));
    assert.ok(f.includes('•••: copy it again'), 'the echoed token is redacted');
    app.stdin.write(KEY.down); // to the token field
    await waitForFrame(app.lastFrame, (fr) => /› Token/.test(fr));
    app.stdin.write(KEY.backspace.repeat('bad-token-1234'.length));
    await waitForFrame(app.lastFrame, (fr) => !fr.includes('•'.repeat(3)) || fr.includes('refused'));
    app.stdin.write(TOKEN);
    await waitForFrame(app.lastFrame, has('•'.repeat(TOKEN.length)));
    app.stdin.write(KEY.enter);
    await waitForFrame(app.lastFrame, has('Step 2 of 6'));
    assert.equal(app.calls.checkToken.at(-1)?.[1], TOKEN);
    const frames = allFrames(app);
    assert.ok(!frames.includes(TOKEN) && !frames.includes('bad-token-1234'), 'no token in any frame');
  });
});

describe('wizard step 2: database connection', () => {
  it('tests the connection on Enter and shows the server version and latency', async () => {
    const app = start(draft());
    await advanceTo(app, 2);
    const f = await waitForFrame(app.lastFrame, has('Host'));
    assert.match(f, /Driver: mssql/);
    assert.match(f, /Database\s+Scale/);
    assert.ok(!f.includes(PASSWORD));
    app.stdin.write(KEY.enter);
    const f2 = await waitForFrame(app.lastFrame, has('Step 3 of 6'));
    assert.match(f2, /✔ Database connection: Connected: SQL Server 2022 in 12 ms/);
  });

  it('shows a failed test in red and lets the user fix the host and succeed on retry', async () => {
    const app = start(draft({ source: { ...draft().source, host: 'wrong-host' } }));
    await advanceTo(app, 2);
    await waitForFrame(app.lastFrame, has('wrong-host'));
    app.stdin.write(KEY.enter);
    await waitForFrame(app.lastFrame, has('Cannot reach wrong-host: check the host name.'));
    const raw = app.lastFrame() ?? '';
    assert.match(raw, /\u001B\[31m[^\u001B]*Cannot reach wrong-host/, 'the error is red');
    assert.match(stripAnsi(raw), /› Host/, 'back on the fields, host focused');
    assert.ok(stripAnsi(raw).includes('Step 2 of 6'));

    app.stdin.write(KEY.backspace.repeat('wrong-host'.length));
    await waitForFrame(app.lastFrame, (fr) => !fr.includes('wrong-host  ') && /› Host\s*$/m.test(fr));
    app.stdin.write('db.plant.local');
    await waitForFrame(app.lastFrame, (fr) => /› Host\s+db\.plant\.local/.test(fr));
    app.stdin.write(KEY.enter);
    const f = await waitForFrame(app.lastFrame, has('Step 3 of 6'));
    assert.match(f, /Connected: SQL Server 2022 in 12 ms/);
    assert.equal(app.calls.testConnection.length, 2);
    assert.equal(app.calls.testConnection[1].host, 'db.plant.local');
    assert.equal(app.calls.testConnection[1].password, PASSWORD, 'the prefilled password is kept');
    assert.ok(!allFrames(app).includes(PASSWORD));
  });

  it('refuses a bad port without calling the service', async () => {
    const app = start(draft());
    await advanceTo(app, 2);
    await waitForFrame(app.lastFrame, has('Host'));
    app.stdin.write(KEY.down);
    await waitForFrame(app.lastFrame, (fr) => /› Port/.test(fr));
    app.stdin.write('x');
    await waitForFrame(app.lastFrame, has('1433x'));
    app.stdin.write(KEY.enter);
    await waitForFrame(app.lastFrame, has('The port must be a number'));
    assert.equal(app.calls.testConnection.length, 0);
  });
});

describe('wizard step 3: ticket table', () => {
  it('preselects the likely table, shows its key and change column, and takes another with ↓ + Enter', async () => {
    const app = start(draft());
    await advanceTo(app, 3);
    const f = await waitForFrame(app.lastFrame, has('› dbo.Tickets'));
    assert.match(f, /dbo\.Tickets\s+12,345 rows/);
    assert.match(f, /Key: TicketID\s+Change column: LastModified/);
    app.stdin.write(KEY.down);
    const f2 = await waitForFrame(app.lastFrame, has('› dbo.Trucks'));
    assert.match(f2, /Key: TruckID\s+Change column: Updated/);
    app.stdin.write(KEY.enter);
    await waitForFrame(app.lastFrame, has('Step 4 of 6'));
    await until('the sample pull', () => app.calls.pullSample.length === 1);
    const [sent, limit] = app.calls.pullSample[0];
    assert.equal(limit, 5);
    assert.equal(sent.table, 'dbo.Trucks');
    assert.deepEqual(sent.key, ['TruckID']);
    assert.equal(sent.changeColumn, 'Updated');
  });
});

describe('wizard step 4: sample pull', () => {
  it('pulls 5 rows and shows the key columns as a table', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { services } = fakeServices();
    const app = start(draft(), {
      pullSample: async (d, n) => {
        await gate;
        return services.pullSample(d, n);
      },
    });
    await advanceTo(app, 4);
    await waitForFrame(app.lastFrame, has('Pulling 5 sample tickets from dbo.Tickets'));
    release();
    const f = await waitForFrame(app.lastFrame, has('5 sample rows from dbo.Tickets'));
    assert.match(f, /Ticket\s+Date\s+Customer\s+Product\s+Net/);
    assert.match(f, /T-1001\s+2026-11-02 14:01\s+Customer 1\s+HMA-1\s+21/);
    app.stdin.write(KEY.enter);
    const f2 = await waitForFrame(app.lastFrame, has('Step 5 of 6'));
    assert.match(f2, /✔ Sample pull: 5 rows from dbo\.Tickets/);
  });
});

describe('wizard step 5: mapping review', () => {
  it('shows raw values beside the mapped fields, pages with ←/→ to a filtered row, Enter accepts', async () => {
    const app = start(draft());
    await advanceTo(app, 5);
    const f = await waitForFrame(app.lastFrame, has('Sample 1 of 5'));
    assert.match(f, /TicketID\s+1\s+Ticket number\s+T-1001/);
    assert.match(f, /TicketNo\s+T-1001\s+Issued at\s+2026-11-02T08:15:00-06:00/);
    assert.match(f, /Customer\s+Customer 1/);
    assert.match(f, /Quantity\s+21 STN/);
    assert.match(f, /Status\s+issued/);
    assert.match(f, /4 of 5 samples map to e-tickets, 1 filtered/);
    for (let i = 0; i < 4; i++) app.stdin.write(KEY.right);
    const f2 = await waitForFrame(app.lastFrame, has('Sample 5 of 5'));
    assert.match(f2, /Filtered: not sent until fixed/);
    assert.match(f2, /• customer name is empty/);
    assert.match(app.lastFrame() ?? '', /\u001B\[33m[^\u001B]*• customer name is empty/, 'problems are yellow');
    app.stdin.write(KEY.left);
    await waitForFrame(app.lastFrame, has('Sample 4 of 5'));
    app.stdin.write(KEY.enter);
    const f3 = await waitForFrame(app.lastFrame, has('Step 6 of 6'));
    assert.match(f3, /✔ Mapping review: 4 of 5 samples map/);
  });
});

describe('wizard step 6: handoff, and a full run', () => {
  it('runs all six steps with Enter only (demo), calls handoff and onDone, never shows a secret', async () => {
    const app = start(draft({ key: ['TicketID'], changeColumn: 'LastModified' }), {}, true);
    const f0 = await waitForFrame(app.lastFrame, has('Demo plant'));
    assert.ok(f0.includes('Step 1 of 6'));
    await advanceTo(app, 6);
    await waitForFrame(app.lastFrame, has('Save profile plant-12'));
    app.stdin.write(KEY.enter);
    const f = await waitForFrame(app.lastFrame, has('Press Enter to finish'));
    assert.match(f, /✔ Daemon started/);
    assert.match(f, /Config:\s+\/etc\/outpost\/config\.json/);
    assert.match(f, /Dashboard:\s+http:\/\/127\.0\.0\.1:4711\/#k=one-time/);
    for (const title of ['Account token', 'Database connection', 'Ticket table', 'Sample pull', 'Mapping review']) {
      assert.match(f, new RegExp(`✔ ${title}: `));
    }
    assert.equal(app.calls.handoff.length, 1);
    assert.equal(app.results.length, 0, 'not done before the final Enter');
    app.stdin.write(KEY.enter);
    await until('the result', () => app.results.length === 1);
    const last = await waitForFrame(app.lastFrame, has('Setup complete.'));
    assert.match(last, /✔ Handoff: daemon started/);
    assert.match(last, /Dashboard: http:\/\/127\.0\.0\.1:4711\/#k=one-time/);
    const r = app.results[0];
    assert.equal(r.status, 'done');
    if (r.status === 'done') {
      assert.equal(r.dashboardUrl, 'http://127.0.0.1:4711/#k=one-time');
      assert.equal(r.configPath, '/etc/outpost/config.json');
      assert.equal(r.draft.table, 'dbo.Tickets');
      assert.deepEqual(r.draft.key, ['TicketID']);
      assert.equal(r.draft.token, TOKEN);
    }
    assert.deepEqual(app.calls.handoff[0], (r as { draft: SetupDraft }).draft);
    const frames = allFrames(app);
    assert.ok(!frames.includes(TOKEN), 'token never in any frame');
    assert.ok(!frames.includes(PASSWORD), 'password never in any frame');
  });

  it('shows a failed handoff and retries on Enter', async () => {
    let fails = 1;
    const { services } = fakeServices();
    const app = start(draft(), {
      handoff: async (d) => {
        if (fails-- > 0) throw new Error('Could not start the daemon: port 4711 is in use.');
        return services.handoff(d);
      },
    });
    await advanceTo(app, 6);
    await waitForFrame(app.lastFrame, has('Save profile'));
    app.stdin.write(KEY.enter);
    await waitForFrame(app.lastFrame, has('port 4711 is in use'));
    app.stdin.write(KEY.enter);
    await waitForFrame(app.lastFrame, has('Daemon started'));
  });
});

describe('wizard cancel', () => {
  it('Esc cancels', async () => {
    const app = start(draft());
    await waitForFrame(app.lastFrame, has('Token'));
    app.stdin.write(KEY.esc);
    await until('a result', () => app.results.length > 0);
    assert.deepEqual(app.results, [{ status: 'cancelled' }]);
    await waitForFrame(app.lastFrame, has('Setup cancelled.'));
  });

  it('Ctrl+C cancels mid-way, once', async () => {
    const app = start(draft());
    await advanceTo(app, 3);
    await waitForFrame(app.lastFrame, has('› dbo.Tickets'));
    app.stdin.write(KEY.ctrlC);
    await until('a result', () => app.results.length > 0);
    app.stdin.write(KEY.ctrlC);
    assert.deepEqual(app.results, [{ status: 'cancelled' }]);
    assert.equal(app.calls.pullSample.length, 0);
  });
});

// ---------- runWizard / canRunInk ----------

class FakeTtyOut extends EventEmitter {
  isTTY = true;
  columns = 100;
  rows = 40;
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
  it('resolves cancelled on Esc and unmounts', async () => {
    const out = new FakeTtyOut();
    const inp = new FakeTtyIn();
    const { services } = fakeServices();
    const p = runWizard({
      services,
      initial: draft(),
      stdout: out as unknown as NodeJS.WriteStream,
      stdin: inp as unknown as NodeJS.ReadStream,
    });
    await until('step 1', () => stripAnsi(out.out).includes('Step 1 of 6'));
    await new Promise((r) => setImmediate(r));
    inp.send(KEY.esc);
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
  it('runs the six steps without prompts, one line per step, and returns the handoff', async () => {
    const { services, calls } = fakeServices();
    const lines: string[] = [];
    const r = await runHeadless({ services, draft: draft(), log: (l) => lines.push(l) });
    assert.deepEqual(r, { dashboardUrl: 'http://127.0.0.1:4711/#k=one-time', configPath: '/etc/outpost/config.json' });
    assert.equal(lines[0], 'No terminal detected: running setup non-interactively.');
    assert.equal(lines.length, 7);
    assert.match(lines[1], /Step 1 of 6, Account token: Acme Paving \(sandbox\)/);
    assert.match(lines[2], /Step 2 of 6, Database connection: Connected: SQL Server 2022 in 12 ms/);
    assert.match(lines[3], /Step 3 of 6, Ticket table: dbo\.Tickets \(12,345 rows\), key TicketID, changes by LastModified/);
    assert.match(lines[4], /Step 4 of 6, Sample pull: 5 rows/);
    assert.match(lines[5], /Step 5 of 6, Mapping review: 4 of 5 samples map to e-tickets, 1 filtered \(T-1005: customer name is empty\)/);
    assert.match(lines[6], /Step 6 of 6, Handoff: daemon started; config saved to \/etc\/outpost\/config\.json/);
    assert.deepEqual(calls.handoff[0].key, ['TicketID'], 'key filled from the suggestion');
    assert.ok(!lines.join('\n').includes(TOKEN) && !lines.join('\n').includes(PASSWORD));
  });

  it('throws a plain error at the failing step and goes no further', async () => {
    const { services, calls } = fakeServices();
    const lines: string[] = [];
    const bad = draft({ source: { ...draft().source, host: 'wrong-host' } });
    await assert.rejects(runHeadless({ services, draft: bad, log: (l) => lines.push(l) }), {
      message: 'Setup stopped at step 2 (Database connection): Cannot reach wrong-host: check the host name.',
    });
    assert.equal(lines.length, 2);
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
      assert.equal(err.message, 'Setup stopped at step 1 (Account token): 401 for Bearer ••••');
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
      pickSampleColumns(['TicketID', 'LastModified', 'TicketNo', 'TicketDate', 'CustomerName', 'ProductCode', 'NetTons']).map((c) => c.column),
      ['TicketNo', 'TicketDate', 'CustomerName', 'ProductCode', 'NetTons'],
    );
    assert.deepEqual(pickSampleColumns(['a', 'b']).map((c) => c.column), ['a', 'b']);
  });
  it('redacts secrets', () => {
    assert.equal(redact('x secret-1 y secret-1', ['secret-1', undefined]), 'x •••• y ••••');
  });
});
