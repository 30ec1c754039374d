// The dashboard's other pages in a real browser: Runs (reports from a real state database),
// a run's records, the live log tail and the sample review's sign-off. Nothing polls: a new run
// shows up because the live status said something was delivered, a log line because it was
// pushed. Any CSP violation or page error fails the test. Screenshots go to OUTPOST_SCREENSHOT_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import type { Profile } from '../../core/config/schema.js';
import { StatusBoard, emptyProfileStatus } from '../../core/engine/status.js';
import { LogTap, type Level, type LogRecord } from '../../core/log.js';

/** A log record from a line "ISO level message" (how this test writes them). */
function logRec(line: string): LogRecord {
  const m = /^(\S+)\s+(debug|info|warn|error)\s+(.*)$/s.exec(line)!;
  return { time: m[1], level: m[2] as Level, msg: m[3] };
}
import type { ETicket } from '../../core/mapping/eticket.js';
import type { Preview } from '../../core/review/preview.js';
import { ReviewStore } from '../../core/review/store.js';
import { StateStore, type RunRecord } from '../../core/state/store.js';
import { reviewService } from '../../dashboard/review-service.js';
import { startDashboard } from '../../dashboard/server.js';
import { launchChromium } from '../helpers/chromium.js';
import { waitFor } from '../helpers/wait.js';

// This file runs as dist/test/e2e/dashboard-pages.test.js.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const builtApp = path.join(repoRoot, 'dist', 'dashboard', 'web', 'app.js');

const rec = (
  n: string,
  processorAction: RunRecord['processorAction'],
  writerAction: RunRecord['writerAction'],
  error: string | null = null,
): RunRecord => ({
  ticketNumber: n,
  sourceId: `plant-12:${n}`,
  targetId: writerAction === 'created' || writerAction === 'updated' ? `etk_${n}` : null,
  processorAction,
  writerAction,
  error,
});

/** One finished run written the way the pipeline writes it: start, commit, end. */
function writeRun(
  store: StateStore,
  profile: string,
  type: 'startup' | 'scheduled' | 'manual',
  records: RunRecord[],
  end: { status: 'complete' | 'error'; error?: string },
): number {
  const id = store.startRun(profile, type);
  const count = (w: RunRecord['writerAction']) => records.filter((r) => r.writerAction === w).length;
  store.commit({
    profile,
    entries: [],
    runId: id,
    counts: {
      read: records.length,
      filtered: records.filter((r) => r.processorAction === 'invalid').length,
      created: count('created'),
      updated: count('updated'),
      unchanged: records.filter((r) => r.processorAction === 'unchanged').length,
      rejected: count('rejected'),
      errors: count('failed'),
    },
    records,
  });
  store.endRun(id, end.status, end.error ?? null);
  return id;
}

function ticket(n: string, customer: string): ETicket {
  return {
    schemaVersion: '1.0',
    ticketId: `plant-12:${n}`,
    revision: `rev-${n}`,
    status: 'issued',
    ticketNumber: n,
    issuedAt: '2026-11-24T09:15:00-06:00',
    issuedAtLocal: '2026-11-24T09:15:00',
    plantTimeZone: 'America/Chicago',
    plant: { id: '12', name: 'North Asphalt Plant' },
    supplier: { name: 'Acme Paving Materials' },
    customer: { id: 'C-77', name: customer },
    truck: { id: 'T-204' },
    lines: [
      {
        lineNumber: 1,
        productCode: 'SM-9.5',
        productDescription: 'Superpave 9.5 mm surface mix',
        materialCategory: 'asphalt',
        quantity: { value: 24.5, unit: 'STN' },
        netWeight: { value: 49000, unit: 'LBR' },
        weighMethod: 'scale',
      },
    ],
  } as unknown as ETicket;
}

function preview(): Preview {
  const t = ticket('1001', 'Smith Construction');
  return {
    profile: 'plant-12',
    template: 'generic-scale-ticket',
    table: 'dbo.Tickets',
    notFound: [],
    samples: [
      {
        ticketId: 'plant-12:1001',
        ticketNumber: '1001',
        raw: { TicketNo: '   1001', Customer: 'Smith Construction', NetLbs: 49000, Product: 'SM-9.5' },
        ticket: t,
        fields: [
          { path: 'ticketNumber', value: '1001', source: 'TicketNo', raw: '"   1001"' },
          { path: 'customer.name', value: 'Smith Construction', source: 'Customer', raw: '"Smith Construction"' },
          { path: 'lines.0.quantity.value', value: 24.5, source: 'NetLbs', raw: '49000' },
          { path: 'lines.0.productCode', value: 'SM-9.5', source: 'Product', raw: '"SM-9.5"' },
        ],
        problems: [],
      },
      {
        ticketId: 'plant-12:1002',
        ticketNumber: '1002',
        raw: { TicketNo: '   1002', Customer: 'Jones Grading', NetLbs: 51000, Product: 'SM-9.5' },
        ticket: ticket('1002', 'Jones Grading'),
        fields: [
          { path: 'ticketNumber', value: '1002', source: 'TicketNo', raw: '"   1002"' },
          { path: 'customer.name', value: 'Jones Grading', source: 'Customer', raw: '"Jones Grading"' },
        ],
        problems: [],
      },
      {
        ticketId: 'plant-12:1003',
        ticketNumber: '1003',
        raw: { TicketNo: '   1003', Customer: null, NetLbs: null, Product: '' },
        ticket: null,
        fields: [],
        problems: ['customer: the column Customer is empty', 'lines: at least one line with a quantity'],
      },
    ],
  };
}

async function noHorizontalScroll(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  assert.equal(overflow, 0, `no horizontal scroll at phone width: ${what}`);
}

test('runs, run records, live logs and the review sign-off in a browser', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  if (!existsSync(builtApp)) {
    execFileSync(process.execPath, [path.join(repoRoot, 'dashboard', 'web', 'build.mjs')], { stdio: 'inherit' });
  }

  const dir = await mkdtemp(path.join(os.tmpdir(), 'outpost-dash-pages-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = new StateStore(path.join(dir, 'state.db'));
  t.after(() => store.close());

  const first = writeRun(
    store,
    'plant-12',
    'startup',
    [
      rec('1001', 'new', 'created'),
      rec('1002', 'new', 'created'),
      rec('1003', 'invalid', 'skipped', 'customer: the column Customer is empty'),
    ],
    {
      status: 'complete',
    },
  );
  const failed = writeRun(store, 'quarry-3', 'scheduled', [rec('77', 'new', 'failed', 'the API returned 503 three times')], {
    status: 'error',
    error: 'The ingest API did not answer (503); retrying in 30 s.',
  });
  const manual = writeRun(store, 'plant-12', 'manual', [rec('1001', 'changed', 'updated'), rec('1002', 'unchanged', 'skipped')], {
    status: 'complete',
  });

  const now = Date.now();
  const board = new StatusBoard({ id: 'outpost-e2e', version: '0.1.0', startedAt: new Date(now - 3_600_000).toISOString(), pid: 4242 }, [
    emptyProfileStatus('plant-12', { state: 'idle', lastSuccessAt: new Date(now - 60_000).toISOString(), delivered: 3 }),
    emptyProfileStatus('quarry-3', { state: 'offline', lastError: 'The ingest API did not answer (503).' }),
  ]);

  const tap = new LogTap();
  tap.push(logRec(`${new Date(now - 5000).toISOString()} info  Outpost 0.1.0 running 2 profile(s) from /etc/outpost/outpost.json`));
  tap.push(
    logRec(
      `${new Date(now - 4000).toISOString()} info  [plant-12] run ${first} (startup): read 3, created 2, updated 0, filtered 1, rejected 0`,
    ),
  );
  tap.push(logRec(`${new Date(now - 3000).toISOString()} warn  [quarry-3] the ingest API answered 503; retrying in 30 s`));
  tap.push(logRec(`${new Date(now - 2000).toISOString()} error [quarry-3] run ${failed} ended: The ingest API did not answer (503)`));

  const profile = { name: 'plant-12' } as Profile; // the injected preview never reads the rest
  const review = reviewService({ profiles: [profile], db: store.db, preview: async () => preview() });

  const dash = await startDashboard({
    feed: board,
    reports: { runs: (p, n) => store.runs(p, n), runRecords: (id) => store.runRecords(id), run: (id) => store.run(id) },
    logs: tap,
    review,
  });
  t.after(() => dash.close());

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  const shots = process.env.OUTPOST_SCREENSHOT_DIR;
  if (shots) await mkdir(shots, { recursive: true });
  const shot = async (name: string) => {
    if (shots) await page.screenshot({ path: path.join(shots, name), fullPage: true });
  };

  await page.goto(dash.launchUrl);
  await page
    .getByTestId('connection')
    .filter({ hasText: /^live$/ })
    .waitFor({ timeout: 10_000 });

  // ---- Runs: newest first, one line per run (quiet scheduled passes grouped).
  await page.getByRole('navigation', { name: 'Dashboard pages' }).getByRole('link', { name: 'Runs' }).click();
  assert.match(page.url(), /#\/runs$/);
  const table = page.getByTestId('runs-table');
  await table.waitFor({ timeout: 10_000 });
  assert.equal(await page.title(), 'Runs · Outpost');
  const ids = async () =>
    await table.locator(':scope > li').evaluateAll((rows: any[]) => rows.map((r: any) => r.getAttribute('data-testid')));
  assert.deepEqual(await ids(), [`run-${manual}`, `run-${failed}`, `run-${first}`]);
  const failedRow = page.getByTestId(`run-${failed}`);
  assert.match((await failedRow.textContent()) ?? '', /error.*scheduled.*quarry-3/);
  // The error text, under its run.
  await page.getByTestId(`run-error-${failed}`).getByText('The ingest API did not answer (503); retrying in 30 s.').waitFor();
  // The one time format: plant date and time with the zone abbreviation ("Dec 1, 2026 08:03:39 CST").
  const started = (await page.getByTestId(`run-${first}`).locator('time').textContent()) ?? '';
  assert.match(started, /^[A-Z][a-z]{2} \d{1,2}, \d{4} \d\d:\d\d:\d\d (UTC|GMT[+-]?\d*|[A-Z]{2,5})$/, started);
  await shot('runs.png');

  // Filter by profile (kept in the address: #/runs?profile=plant-12).
  await page.getByTestId('runs-profile').selectOption('plant-12');
  await waitFor('the plant-12 filter', async () => (await ids()).length === 2, 10_000, 20);
  assert.match(page.url(), /#\/runs\?profile=plant-12$/);

  // A new run appears when the live status shows a new last success: no reload, no timer.
  const fresh = writeRun(store, 'plant-12', 'scheduled', [rec('1004', 'new', 'created')], { status: 'complete' });
  board.update('plant-12', { lastSuccessAt: new Date().toISOString(), delivered: 4 });
  await page.getByTestId(`run-${fresh}`).waitFor({ timeout: 5_000 });
  assert.deepEqual(await ids(), [`run-${fresh}`, `run-${manual}`, `run-${first}`]);

  // ---- Run detail: the records, and the problems-only filter.
  await page.getByTestId(`run-${first}`).getByRole('link').click();
  assert.match(page.url(), new RegExp(`#/runs/${first}$`));
  const records = page.getByTestId('records-table');
  await records.waitFor({ timeout: 10_000 });
  assert.deepEqual(await records.locator('thead th').allTextContents(), [
    'Ticket',
    'Outpost',
    'Service',
    'Row in the plant table',
    'E-ticket id',
    'Problem',
  ]);
  const recordRows = () =>
    records
      .locator('tbody tr')
      .evaluateAll((rows: any[]) => rows.map((r: any) => [...r.children].map((c: any) => c.textContent as string)));
  assert.deepEqual(await recordRows(), [
    ['1001', 'new ticket', 'created', 'plant-12:1001', 'etk_1001', ''],
    ['1002', 'new ticket', 'created', 'plant-12:1002', 'etk_1002', ''],
    ['1003', 'could not be mapped', 'not sent', 'plant-12:1003', '—', 'customer: the column Customer is empty'],
  ]);
  await page.getByText('3 tickets.').waitFor();
  await shot('run-detail.png');
  await page.getByTestId('problems-only').check();
  await waitFor('the problems-only filter', async () => (await recordRows()).length === 1, 10_000, 20);
  assert.equal((await recordRows())[0][0], '1003');
  assert.match(page.url(), /\?problems=1$/);

  // Phone width: the tables become labelled cards; nothing spills sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId('problems-only').uncheck();
  await waitFor('all records again', async () => (await recordRows()).length === 3, 10_000, 20);
  await noHorizontalScroll(page, 'run detail');
  await shot('run-detail-phone.png');
  await page.goto(`${dash.url}#/runs`);
  await page.getByTestId('runs-table').waitFor();
  await noHorizontalScroll(page, 'runs');
  await shot('runs-phone.png');
  await page.setViewportSize({ width: 1280, height: 800 });

  // ---- Logs: the recent lines, then a pushed line appears live, coloured by level.
  await page.getByRole('link', { name: 'Logs' }).click();
  const box = page.getByTestId('log-box');
  await box.getByText('the ingest API answered 503').waitFor({ timeout: 5_000 });
  assert.equal(await box.locator('.log-line').count(), 4);
  tap.push(logRec(`${new Date().toISOString()} warn  [plant-12] the database is slow to answer (4.2 s)`));
  const live = box.locator('.log-line', { hasText: 'slow to answer' });
  await live.waitFor({ timeout: 5_000 });
  assert.match((await live.getAttribute('class')) ?? '', /log-warn/);
  assert.match((await box.locator('.log-line', { hasText: 'run ' + failed + ' ended' }).getAttribute('class')) ?? '', /log-error/);

  // Follows the newest line…
  for (let i = 1; i <= 120; i++) tap.push(logRec(`${new Date().toISOString()} info  [plant-12] poll ${i}: nothing new`));
  await box.getByText('poll 120: nothing new').waitFor({ timeout: 5_000 });
  const gap = () => box.evaluate((el: any) => el.scrollHeight - el.scrollTop - el.clientHeight);
  await waitFor('the log to follow the newest line', async () => (await gap()) < 8, 10_000, 20);
  await shot('logs.png');
  // …but not once the reader scrolled up.
  await box.evaluate((el: any) => el.scrollTo({ top: 0 }));
  await page.getByText('Live: scrolled up, not following.').waitFor({ timeout: 5_000 });
  tap.push(logRec(`${new Date().toISOString()} info  [plant-12] while scrolled up`));
  await box.getByText('while scrolled up').waitFor({ timeout: 5_000 });
  assert.equal(await box.evaluate((el: any) => el.scrollTop), 0, 'stays where the reader is');
  await page.getByRole('button', { name: 'Jump to newest' }).click();
  await waitFor('jump to newest', async () => (await gap()) < 8, 10_000, 20);

  // Pause freezes the view; lines keep arriving and show on Resume.
  await page.getByRole('button', { name: 'Pause' }).click();
  tap.push(logRec(`${new Date().toISOString()} info  [plant-12] arrived while paused`));
  await page.getByText('Paused: 1 new line waiting.').waitFor({ timeout: 5_000 });
  assert.equal(await box.getByText('arrived while paused').count(), 0);
  await page.getByRole('button', { name: 'Resume' }).click();
  await box.getByText('arrived while paused').waitFor({ timeout: 5_000 });

  await page.setViewportSize({ width: 390, height: 844 });
  await noHorizontalScroll(page, 'logs');
  await shot('logs-phone.png');
  await page.setViewportSize({ width: 1280, height: 800 });

  // ---- Review: the paper first, the printed fields beside it; flag a field, approve a ticket, sign off.
  await page.getByRole('link', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Load tickets' }).click();
  const s1 = page.getByTestId('sample-1001');
  await s1.waitFor({ timeout: 10_000 });
  await s1.getByRole('article', { name: 'Ticket 1001 as printed' }).getByText('Smith Construction (C-77)').waitFor();
  // As printed: plant-zone time with its abbreviation, the quantity rounded with its unit.
  await page.getByTestId('check-1001-issuedAt').getByText('Nov 24, 2026 09:15 CST').waitFor();
  await page.getByTestId('check-1001-lines.0.quantity').getByText('24.5 ton').waitFor();
  // Technical fields are folded away; the raw value keeps its padding.
  await s1.locator('details.technical summary').click();
  await s1.getByText('"   1001"').first().waitFor();
  const s3 = page.getByTestId('sample-1003');
  await s3.getByText('customer: the column Customer is empty').waitFor();
  assert.equal(await s3.getByRole('button', { name: /approve/ }).count(), 0, 'a filtered ticket cannot be approved');

  const qty = page.getByTestId('check-1001-lines.0.quantity');
  await qty.getByRole('button', { name: /Wrong/ }).click();
  await qty.getByRole('textbox', { name: /What does the paper say/ }).fill('Paper ticket says 24.50 tons net');
  await page
    .getByTestId('sample-1002')
    .getByRole('button', { name: /approve ticket/ })
    .click();
  await page.getByTestId('verdict-1002').filter({ hasText: 'matches the paper' }).waitFor();
  await page.getByRole('textbox', { name: /Your name/ }).fill('Dana Ortiz');
  await shot('review.png');
  await page.getByRole('button', { name: 'Sign off' }).click();
  await page.getByTestId('review-saved').waitFor({ timeout: 10_000 });
  assert.match(
    (await page.getByTestId('review-saved').textContent()) ?? '',
    /Review 1 recorded by Dana Ortiz at .*: 1 approved, 1 flagged/,
  );

  const saved = new ReviewStore(store.db).latest('plant-12');
  assert.ok(saved);
  assert.equal(saved.reviewer, 'Dana Ortiz');
  assert.deepEqual(
    saved.tickets.map((x) => [x.ticketNumber, x.verdict, x.flags]),
    [
      ['1001', 'flagged', [{ field: 'lines.0.quantity', comment: 'Paper ticket says 24.50 tons net' }]],
      ['1002', 'approved', []],
    ],
  );
  assert.equal(saved.tickets[0].ticket?.revision, 'rev-1001', 'the ticket as it was looked at is kept');

  await page.setViewportSize({ width: 390, height: 844 });
  await noHorizontalScroll(page, 'review');
  await shot('review-phone.png');

  assert.deepEqual(problems, [], 'no console errors, CSP violations or page errors');
});
