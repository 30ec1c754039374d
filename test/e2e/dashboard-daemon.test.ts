// The dashboard against a REAL running daemon (`outpost run` as a child process, a demo plant in
// SQLite, the project's sandbox as the API), in Debian's chromium:
// - each state with its colour and text: idle (green), rejected token (red), offline (red), paused and
//   mapping problem (amber); parked tickets listed with their reason and a Resend button;
// - Pause → daemon restart → still paused; Sync now while paused runs one pass and stays paused;
// - a restart keeps the URL: the open page reconnects by itself and the same link signs in again;
//   `outpost dashboard --new-link` signs the old link out;
// - the reviewer link cannot POST a control action (403) and cannot open settings;
// - the review flow (flag, approve, sign off, export) at 1280×800 and 390×844, screenshots saved
//   under test-artifacts/ (OUTPOST_SCREENSHOT_DIR overrides) and page heights bounded.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createDemoPlant, insertTicket, makeTicket, nextTicketNo, openPlant, prng } from '../../core/demo/plant.js';
import type { SandboxHandle } from '../../core/sandbox/server.js';
import { builtDashboardTest } from '../helpers/chromium.js';
import { runCli, startCli, type Running } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { testSandbox } from '../helpers/sandbox.js';
import { demoTableProfile } from '../helpers/profiles.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SHOTS = process.env.OUTPOST_SCREENSHOT_DIR ?? path.join(repoRoot, 'test-artifacts');
const TOKEN = 'dash-e2e-token-0123456789';

/** The state colours of style.css (light scheme): background of the state badge. */
const TONE_BG = { ok: 'rgb(227, 244, 232)', bad: 'rgb(251, 230, 228)', warn: 'rgb(253, 241, 216)' } as const;

interface Env {
  home: string;
  env: NodeJS.ProcessEnv;
  config: string;
  plant: string;
  sandbox: SandboxHandle;
}

async function setup(t: import('node:test').TestContext): Promise<Env> {
  const home = mkdtempSync(path.join(tmpdir(), 'outpost-dash-daemon-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const plant = path.join(home, 'plant', 'scalehouse.db');
  createDemoPlant(plant, { days: 1, perDay: 12, seed: 11 });
  const sandbox = await testSandbox(t, { token: TOKEN, dbFile: path.join(home, 'sandbox.db'), accountName: 'Demo Paving' });
  const profile = (name: string, token: string) =>
    demoTableProfile({
      name,
      api: { url: sandbox.url, token },
      source: { driver: 'sqlite', file: plant },
      batchSize: 100,
      lookbackSeconds: 30,
    });
  const config = path.join(home, 'outpost.json');
  writeFileSync(
    config,
    JSON.stringify({ profiles: [profile('riverside', 'env:DASH_TOKEN'), profile('quarry', 'env:DASH_OLD_TOKEN')] }, null, 2),
    { mode: 0o600 },
  );
  const env = { OUTPOST_HOME: home, DASH_TOKEN: TOKEN, DASH_OLD_TOKEN: 'revoked-token-abcdefghijkl' };
  return { home, env, config, plant, sandbox };
}

function daemonInfo(home: string): { pid: number; dashboardUrl: string | null } | null {
  try {
    return JSON.parse(readFileSync(path.join(home, 'run', 'daemon.json'), 'utf8'));
  } catch {
    return null;
  }
}

async function startDaemon(e: Env): Promise<Running> {
  const d = startCli(['run', '--config', e.config], e.env);
  await waitFor(
    'the daemon to serve its dashboard',
    () => {
      if (d.child.exitCode !== null) throw new Error(`the daemon exited (${d.child.exitCode}):\n${d.output()}`);
      const info = daemonInfo(e.home);
      return info?.pid === d.child.pid && info?.dashboardUrl;
    },
    30_000,
  );
  return d;
}

async function stopDaemon(d: Running): Promise<void> {
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 0, `the daemon stops cleanly:\n${d.output().slice(-2000)}`);
}

async function link(e: Env, ...args: string[]): Promise<string> {
  const r = await runCli(['dashboard', '--no-open', '--json', ...args], e.env);
  assert.equal(r.code, 0, r.output);
  return (JSON.parse(r.output.slice(r.output.indexOf('{'))) as { url: string }).url;
}

function addTicket(plant: string, patch: Record<string, unknown> = {}): string {
  const db = openPlant(plant);
  const no = nextTicketNo(db);
  const t = { ...makeTicket(prng(no), no, new Date()), ...patch };
  insertTicket(db, t as ReturnType<typeof makeTicket>, new Date());
  db.close();
  return String(no);
}

function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    // A refused or reset request while the daemon restarts is expected; anything else is not.
    if (
      (msg.type() === 'error' || msg.type() === 'warning') &&
      !/ERR_CONNECTION_(REFUSED|RESET)|ERR_EMPTY_RESPONSE|WebSocket connection/.test(msg.text())
    )
      problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return problems;
}

async function expectState(page: Page, profile: string, state: string, tone: keyof typeof TONE_BG, timeout = 30_000): Promise<void> {
  const badge = page.getByTestId(`state-${profile}`);
  await badge
    .filter({ hasText: new RegExp(`^${state}$`) })
    .waitFor({ timeout })
    .catch(async (err: Error) => {
      const card = page.getByTestId(`card-${profile}`);
      throw new Error(
        `${err.message}\n${profile} shows "${await badge.textContent().catch(() => '?')}": ${await card
          .locator('.reason')
          .textContent()
          .catch(() => '(no reason)')}`,
      );
    });
  assert.equal(await page.getByTestId(`card-${profile}`).getAttribute('data-tone'), tone, `${profile} ${state} is ${tone}`);
  assert.equal(
    await badge.evaluate((el: any) => (globalThis as any).getComputedStyle(el).backgroundColor),
    TONE_BG[tone],
    `${profile} ${state}: the badge colour`,
  );
}

async function height(page: Page): Promise<number> {
  return page.evaluate('document.documentElement.scrollHeight') as Promise<number>;
}

/** Waits until `profile`'s card gives a reason matching `text`. */
function reasonShown(page: Page, profile: string, text: RegExp): Promise<void> {
  return page.getByTestId(`card-${profile}`).locator('.reason').getByText(text).waitFor();
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
}

async function reviewFlow(
  browser: Browser,
  url: string,
  viewport: { width: number; height: number },
  tag: string,
  bound: number,
  filteredNo: string,
): Promise<void> {
  const context: BrowserContext = await browser.newContext({ viewport });
  try {
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(url);
    await page.getByRole('heading', { name: 'Review sample tickets' }).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Load tickets' }).click();
    const cards = page.locator('section.sample');
    await cards.first().waitFor({ timeout: 20_000 });
    assert.equal(await cards.count(), 5);
    // The filtered ticket: its reason shown, no way to approve it.
    const filtered = page.getByTestId(`sample-${filteredNo}`);
    await filtered.getByText(/could not be made into an e-ticket/).waitFor();
    assert.equal(await filtered.getByRole('button', { name: /approve/ }).count(), 0);
    // The first mapped ticket: the paper first, its date in the plant's zone, a quantity as printed.
    const mapped = page.locator('section.sample:has(article.ticket)');
    const first = mapped.first();
    const number = ((await first.getAttribute('data-testid')) ?? '').replace('sample-', '');
    await first
      .getByTestId(`check-${number}-issuedAt`)
      .getByText(/^[A-Z][a-z]{2} \d{1,2}, \d{4} \d\d:\d\d C[SD]T$/)
      .waitFor();
    const qty = (await first.getByTestId(`check-${number}-lines.0.quantity`).locator('.check-value').textContent()) ?? '';
    assert.match(qty, /^[\d,]+(\.\d{1,2})? (lb|ton)$/, `quantity as printed: ${qty}`);
    // Flag the customer with what the paper says; approve every other mapped ticket.
    const customer = first.getByTestId(`check-${number}-customer`);
    await customer.getByRole('button', { name: /Wrong/ }).click();
    await customer.getByRole('textbox').fill('Paper says Hill County Paving');
    const others = await mapped.count();
    for (let i = 1; i < others; i++)
      await mapped
        .nth(i)
        .getByRole('button', { name: /approve ticket/ })
        .click();
    await page
      .getByTestId('review-tally')
      .filter({ hasText: `${others - 1} approved · 1 flagged` })
      .waitFor();
    await page.getByRole('textbox', { name: /Your name/ }).fill('Dana Ortiz');
    await shot(page, `review-${tag}.png`);
    await first.screenshot({ path: path.join(SHOTS, `review-ticket-${tag}.png`) });
    await first.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, `review-${tag}-screen.png`) });
    const h = await height(page);
    assert.ok(h < bound, `the review page at ${viewport.width} px is ${h} px tall (bound ${bound})`);
    assert.equal(
      await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
      0,
      'no horizontal scroll',
    );
    await page.getByRole('button', { name: 'Sign off' }).click();
    const saved = page.getByTestId('review-saved');
    await saved.waitFor({ timeout: 10_000 });
    assert.match((await saved.textContent()) ?? '', new RegExp(`recorded by Dana Ortiz at .*: ${others - 1} approved, 1 flagged`));
    // Export: the printable page, in a new tab.
    const [popup] = await Promise.all([context.waitForEvent('page'), saved.getByRole('link', { name: 'Open printable page' }).click()]);
    await popup.waitForLoadState();
    const text = (await popup.textContent('body')) ?? '';
    assert.match(text, /E-ticket review — riverside/);
    assert.match(text, /Dana Ortiz/);
    assert.match(text, /Paper says Hill County Paving/);
    assert.match(text, /Reviewed at[A-Z][a-z]{2} \d{1,2}, \d{4} \d\d:\d\d:\d\d C[SD]T/);
    await popup.screenshot({ path: path.join(SHOTS, `review-export-${tag}.png`), fullPage: true });
    await popup.close();
    assert.deepEqual(problems, [], 'no console errors, CSP violations or page errors');
  } finally {
    await context.close();
  }
}

builtDashboardTest(
  'the dashboard of a real daemon: honest states, persisted pause, sync while paused, stable link, reviewer link, review flow',
  300_000,
  async (t, browser) => {
    const e = await setup(t);
    let daemon = await startDaemon(e);
    t.after(() => daemon.child.kill('SIGKILL'));
    const adminUrl = await link(e);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    t.after(() => context.close());
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(adminUrl);
    const connection = page.getByTestId('connection');
    await connection.filter({ hasText: /^live$/ }).waitFor({ timeout: 15_000 });

    // ---- Honest states, each with its colour.
    await expectState(page, 'riverside', 'idle', 'ok');
    await expectState(page, 'quarry', 'rejected token', 'bad');
    await page
      .getByTestId('card-quarry')
      .getByText(/sends nothing until the token/)
      .waitFor();
    await page.getByTestId('chart-riverside').waitFor({ timeout: 20_000 });
    await shot(page, 'overview-1280.png');
    await page.screenshot({ path: path.join(SHOTS, 'overview-1280-screen.png') });

    e.sandbox.setFaults({ errorRate: 1 });
    addTicket(e.plant);
    await expectState(page, 'riverside', 'offline', 'bad');
    await reasonShown(page, 'riverside', /Next try in/);
    e.sandbox.setFaults({});
    await expectState(page, 'riverside', 'idle', 'ok', 90_000);

    // ---- Pause (amber); it survives a daemon restart.
    const card = page.getByTestId('card-riverside');
    await card.getByRole('button', { name: 'Pause' }).click();
    await expectState(page, 'riverside', 'paused', 'warn');
    await page.getByTestId('next-riverside').filter({ hasText: 'none while paused' }).waitFor();
    assert.ok('riverside' in JSON.parse(readFileSync(path.join(e.home, 'run', 'paused.json'), 'utf8')));

    // ---- Sync now while paused: one manual pass delivers the new ticket; it stays paused.
    const before = e.sandbox.stats().tickets;
    addTicket(e.plant);
    await card.getByRole('button', { name: 'Sync now' }).click();
    await waitFor('the manual pass to deliver the new ticket', () => e.sandbox.stats().tickets === before + 1, 30_000);
    await card
      .locator('.reason')
      .getByText(/a manual pass ran at/)
      .waitFor({ timeout: 15_000 });
    await expectState(page, 'riverside', 'paused', 'warn');
    const quietCheck = e.sandbox.stats().tickets;
    addTicket(e.plant);
    await new Promise((r) => setTimeout(r, 3_000)); // three scheduled intervals: none may run while paused
    assert.equal(e.sandbox.stats().tickets, quietCheck, 'no scheduled pass while paused');
    await page
      .getByTestId('backlog-riverside')
      .filter({ hasText: /^[1-9]\d* waiting$/ })
      .waitFor({ timeout: 70_000 });

    // ---- Restart: the same URL, the open page reconnects by itself, still paused.
    await stopDaemon(daemon);
    await connection.filter({ hasText: /^reconnecting$/ }).waitFor({ timeout: 10_000 });
    daemon = await startDaemon(e);
    assert.equal(await link(e), adminUrl, 'the link survives the restart');
    await connection.filter({ hasText: /^live$/ }).waitFor({ timeout: 20_000 });
    await expectState(page, 'riverside', 'paused', 'warn');
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const again = await fresh.newPage();
    await again.goto(adminUrl);
    await again
      .getByTestId('connection')
      .filter({ hasText: /^live$/ })
      .waitFor({ timeout: 15_000 });
    await fresh.close();

    // ---- The CLI: status from the same home, resume and pause through the daemon.
    const status = await runCli(['status', '--json'], e.env);
    assert.equal(status.code, 0, status.output);
    const stateOf = (out: string, name: string) =>
      (JSON.parse(out).profiles as Array<{ name: string; state: string }>).find((p) => p.name === name)?.state;
    assert.equal(stateOf(status.output, 'riverside'), 'paused');
    const resumed = await runCli(['resume', '--profile', 'riverside'], e.env);
    assert.equal(resumed.code, 0, resumed.output);
    await expectState(page, 'riverside', 'idle', 'ok');
    await waitFor('the ticket left waiting while paused to arrive', () => e.sandbox.stats().tickets === quietCheck + 1, 30_000);
    const human = await waitFor(
      'outpost status to say idle',
      async () => {
        const r = await runCli(['status'], e.env);
        return /riverside: idle since/.test(r.output) && r.output;
      },
      15_000,
    );
    assert.match(
      human,
      /riverside: idle since [A-Z][a-z]{2} \d{1,2}, \d{4} \d\d:\d\d:\d\d C[SD]T\n.*last success [A-Z][a-z]{2} \d{1,2}, \d{4} \d\d:\d\d:\d\d C[SD]T/,
    );
    assert.equal((await runCli(['pause', '--profile', 'riverside'], e.env)).code, 0);
    await expectState(page, 'riverside', 'paused', 'warn');
    assert.equal((await runCli(['resume', '--profile', 'riverside'], e.env)).code, 0);
    await expectState(page, 'riverside', 'idle', 'ok');

    // ---- The runs page: grouped, filtered.
    await page.goto(`${new URL(adminUrl).origin}/#/runs?profile=riverside`);
    await page.getByTestId('runs-table').waitFor({ timeout: 10_000 });
    await page.getByTestId('runs-problems').check();
    await page
      .getByText(/No runs with problems match|#\d+/)
      .first()
      .waitFor();
    await page.goto(`${new URL(adminUrl).origin}/#/`);
    await expectState(page, 'riverside', 'idle', 'ok');

    // ---- The reviewer link: review and reports only.
    const filteredNo = addTicket(e.plant, { Customer: '  ' });
    await waitFor(
      'the filtered ticket to be read',
      async () =>
        (JSON.parse((await runCli(['status', '--json'], e.env)).output).profiles as Array<{ name: string; filtered: number }>).find(
          (p) => p.name === 'riverside',
        )!.filtered > 0,
      30_000,
    );
    // ---- Parked: the overview's count links to the list with the reason and a Resend button.
    await page
      .getByTestId('parked-riverside-filtered')
      .filter({ hasText: /^[1-9]\d* filtered/ })
      .waitFor({ timeout: 15_000 });
    await page
      .getByTestId('reconcile-riverside')
      .filter({ hasText: /at the source/ })
      .waitFor({ timeout: 30_000 });
    await page.getByTestId('parked-riverside-filtered').click();
    const parkedRow = page.getByTestId(`parked-${filteredNo}`);
    await parkedRow.getByText(/customer/i).waitFor({ timeout: 10_000 });
    await parkedRow.getByRole('button', { name: 'Resend' }).click();
    await page.getByTestId('resend-note').filter({ hasText: /1/ }).waitFor({ timeout: 10_000 });
    await shot(page, 'parked-1280.png');
    await page.goto(`${new URL(adminUrl).origin}/#/`);
    // The resent row is filtered again: the mapping filtered most of what it mapped lately — amber, with the reason.
    await expectState(page, 'riverside', 'mapping problem', 'warn');
    await reasonShown(page, 'riverside', /customer is empty/);

    const reviewUrl = await link(e, '--review-link');
    assert.notEqual(reviewUrl, adminUrl);
    const rc = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const rp = await rc.newPage();
    const reviewerProblems = watchProblems(rp);
    await rp.goto(reviewUrl);
    await rp.getByRole('heading', { name: 'Review sample tickets' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(await rp.getByRole('navigation', { name: 'Dashboard pages' }).getByRole('link').allTextContents(), ['Runs', 'Review']);
    const attempt = await rp.evaluate(async () => {
      const s = (await (await fetch('/api/session')).json()) as { csrf: string; role: string };
      const post = await fetch('/api/profiles/riverside/pause', { method: 'POST', headers: { 'X-Outpost-CSRF': s.csrf } });
      const settings = await fetch('/api/settings');
      const resend = await fetch('/api/profiles/riverside/resend', {
        method: 'POST',
        headers: { 'X-Outpost-CSRF': s.csrf, 'Content-Type': 'application/json' },
        body: '{"kind":"filtered"}',
      });
      return { role: s.role, post: post.status, settings: settings.status, resend: resend.status };
    });
    assert.deepEqual(attempt, { role: 'reviewer', post: 403, settings: 403, resend: 403 });
    await rp.goto(`${new URL(reviewUrl).origin}/#/settings`);
    await rp.getByTestId('not-for-reviewer').waitFor();
    await rp.goto(`${new URL(reviewUrl).origin}/#/runs`);
    await rp.getByTestId('runs-table').waitFor({ timeout: 10_000 });
    // The two refusals asked for above show as console errors; nothing else may.
    assert.deepEqual(
      reviewerProblems.filter((p) => !/status of 403/.test(p)),
      [],
    );
    assert.equal(reviewerProblems.length, 3);
    await rc.close();
    // The reviewer's pause never happened.
    assert.notEqual(await page.getByTestId('state-riverside').textContent(), 'paused');
    assert.ok(
      !existsSync(path.join(e.home, 'run', 'paused.json')) ||
        !('riverside' in JSON.parse(readFileSync(path.join(e.home, 'run', 'paused.json'), 'utf8'))),
    );

    // ---- The review flow, desktop and phone.
    await reviewFlow(browser, reviewUrl, { width: 1280, height: 800 }, '1280', 9_000, filteredNo);
    await reviewFlow(browser, reviewUrl, { width: 390, height: 844 }, '390', 16_000, filteredNo);
    const exported = await runCli(['review', 'export', '--profile', 'riverside', '--json'], e.env);
    assert.equal(exported.code, 0, exported.output);

    assert.deepEqual(problems, [], 'no console errors, CSP violations or page errors');

    // ---- A new link signs the old one out at once (the page's session check is refused: 401); the new one works.
    const newUrl = await link(e, '--new-link');
    assert.notEqual(newUrl, adminUrl);
    await connection.filter({ hasText: /^signed out$/ }).waitFor({ timeout: 20_000 });
    await page.goto(newUrl);
    await connection.filter({ hasText: /^live$/ }).waitFor({ timeout: 15_000 });
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'overview-390.png');
    assert.equal(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'), 0);

    assert.deepEqual(
      problems.filter((p) => !/status of 401/.test(p)),
      [],
      'no console errors, CSP violations or page errors',
    );
    await stopDaemon(daemon);
  },
);
