// End to end without a TTY: `outpost demo` runs headless; every demo ticket reaches the sandbox at its
// latest revision; an edit arrives as a new revision; killing the daemon (kill -9) and restarting the
// whole demo sends nothing twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createMapper, mappingTemplatesDir } from '../../core/mapping/index.js';
import { eticketSchema } from '../../core/mapping/eticket.js';
import { DEMO_FIELDS, DEMO_PROFILE } from '../../core/demo/environment.js';
import { DEMO_TIMEZONE } from '../../core/demo/plant.js';
import { startCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';

interface SandboxTicket {
  ticketId: string;
  revision: string;
  ticket: Record<string, unknown>;
}

async function api(base: string, token: string, path: string) {
  const res = await fetch(base + path, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, `${path} answered ${res.status}`);
  return res.json();
}

/** What the sandbox must hold: every valid plant row mapped at its current content. */
function expected(plantFile: string): Map<string, string> {
  const mapper = createMapper({ template: 'generic-scale-ticket', fields: DEMO_FIELDS, timezone: DEMO_TIMEZONE });
  const db = new Database(plantFile, { readonly: true });
  const rows = db.prepare('SELECT * FROM Tickets').all() as Record<string, unknown>[];
  db.close();
  const out = new Map<string, string>();
  for (const row of rows) {
    const ticketId = `${DEMO_PROFILE}:${row.TicketID}`;
    const r = mapper.map(row, { ticketId, recordKey: String(row.TicketID), table: 'Tickets', recordModifiedAt: String(row.LastModified) });
    if (r.ok) out.set(ticketId, r.ticket.revision);
  }
  return out;
}

async function sandboxState(base: string, token: string): Promise<Map<string, SandboxTicket>> {
  const body = (await api(base, token, '/v1/_sandbox/tickets?limit=100000')) as { tickets: SandboxTicket[] };
  return new Map(body.tickets.map((t) => [t.ticketId, t]));
}

async function inSync(plantFile: string, base: string, token: string): Promise<boolean> {
  const want = expected(plantFile);
  const have = await sandboxState(base, token);
  if (want.size === 0) return false;
  for (const [id, rev] of want) if (have.get(id)?.revision !== rev) return false;
  return true;
}

test(
  'outpost demo, headless: delivers every ticket, picks up edits, survives kill -9 and a restart without duplicates',
  { timeout: 240_000 },
  async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'outpost-e2e-demo-'));
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const env = { OUTPOST_HOME: home };
    const args = ['demo', '--no-open', '--every', '1s', '--simulate-every', '0'];
    let demo = startCli(args, env);
    t.after(() => demo.child.kill('SIGKILL'));

    const demoHome = join(home, 'demo');
    await waitFor(
      'the demo to say it is syncing',
      () => {
        if (demo.child.exitCode !== null) throw new Error(`the demo exited with ${demo.child.exitCode}`);
        return /Press Ctrl\+C/.test(demo.output());
      },
      60_000,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\n--- demo output ---\n${demo.output()}`);
    });
    const out = demo.output();
    assert.match(out, /No terminal detected/);
    assert.match(out, /Dashboard: http:\/\/127\.0\.0\.1:\d+\//);
    const info = JSON.parse(readFileSync(join(demoHome, 'demo.json'), 'utf8')) as {
      sandboxUrl: string;
      tokenFile: string;
      plantFile: string;
    };
    const token = readFileSync(info.tokenFile, 'utf8').trim();
    assert.ok(!out.includes(token), 'the sandbox token must never be printed');

    await waitFor('every demo ticket in the sandbox at its latest revision', () => inSync(info.plantFile, info.sandboxUrl, token), 60_000);
    const first = await sandboxState(info.sandboxUrl, token);
    for (const [, st] of first) assert.ok(eticketSchema.safeParse(st.ticket).success, `ticket ${st.ticketId} must match eTicket v1`);
    // The shipped JSON Schema, through a standard validator (strict ajv), accepts every ticket the demo sent.
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    const validateJson = ajv.compile(JSON.parse(readFileSync(join(mappingTemplatesDir(), '..', 'eticket-v1.schema.json'), 'utf8')));
    for (const [, st] of first) {
      assert.ok(
        validateJson(st.ticket),
        `ticket ${st.ticketId} must match templates/eticket-v1.schema.json: ${ajv.errorsText(validateJson.errors)}`,
      );
    }
    const voided = [...first.values()].filter((x) => x.ticket.status === 'voided');
    assert.ok(voided.length > 0, 'voided tickets are sent, never dropped');

    // An edit at the scale house arrives as a new revision.
    const plant = new Database(info.plantFile);
    const edited = plant
      .prepare(`SELECT TicketID FROM Tickets WHERE VoidFlag = 'N' AND Net IS NOT NULL AND TRIM(Customer) != '' ORDER BY TicketID LIMIT 1`)
      .get() as { TicketID: number };
    const before = first.get(`${DEMO_PROFILE}:${edited.TicketID}`)!.revision;
    plant.prepare(`UPDATE Tickets SET TruckNo = 'T-777' WHERE TicketID = ?`).run(edited.TicketID);
    await waitFor('the edited ticket at a new revision', async () => {
      const s = await sandboxState(info.sandboxUrl, token);
      const got = s.get(`${DEMO_PROFILE}:${edited.TicketID}`);
      return got && got.revision !== before && (got.ticket.truck as { id: string }).id === 'T-777';
    });

    // kill -9 the daemon: the demo restarts it, and it resumes without sending anything twice.
    const daemon = JSON.parse(readFileSync(join(demoHome, 'run', 'daemon.json'), 'utf8')) as { pid: number };
    process.kill(daemon.pid, 'SIGKILL');
    await waitFor('the demo to restart the daemon', () => /restarting it/.test(demo.output()), 20_000);
    const insert =
      plant.prepare(`INSERT INTO Tickets (TicketNo, TicketDate, PlantCode, Customer, ProductCode, ProductDesc, Gross, Tare, Net, UOM, TruckNo, Hauler, Driver)
    VALUES (?, '2026-11-24 10:15:00', 'P12', 'Hill County Paving', 'AGG-57', '#57 Washed Stone', 60000, 28000, 32000, 'LB', 'T-101', 'Own fleet', 'K. Johnson')`);
    insert.run('   900001');
    await waitFor('the ticket written after the kill', () => inSync(info.plantFile, info.sandboxUrl, token), 60_000);

    // Stop the whole demo cleanly, start it again: it resumes, nothing is sent twice.
    demo.child.kill('SIGINT');
    assert.equal(await demo.exited, 0, demo.output());
    demo = startCli(args, env);
    await waitFor('the second demo to say it is syncing', () => /Press Ctrl\+C/.test(demo.output()), 60_000);
    assert.match(demo.output(), /resuming/);
    const info2 = JSON.parse(readFileSync(join(demoHome, 'demo.json'), 'utf8')) as { sandboxUrl: string };
    insert.run('   900002');
    await waitFor('the ticket written after the restart', () => inSync(info.plantFile, info2.sandboxUrl, token), 60_000);
    plant.close();

    const stats = (await api(info2.sandboxUrl, token, '/v1/_sandbox/stats')) as {
      duplicates: number;
      staleRefused: number;
      tickets: number;
    };
    assert.equal(stats.duplicates, 0, 'no ticket may be delivered twice at the same revision');
    assert.equal(stats.staleRefused, 0, 'no older revision may be sent after a newer one');
    assert.equal(stats.tickets, expected(info.plantFile).size);
    demo.child.kill('SIGINT');
    assert.equal(await demo.exited, 0);
  },
);
