// The dashboard in a real browser: the secret link signs in, the page goes live over the
// WebSocket, numbers move when the engine's status moves, and Sync now reaches the engine through
// the CSRF-protected POST. Any CSP violation or page error fails the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { StatusBoard, emptyProfileStatus } from '../../core/engine/status.js';
import { startDashboard } from '../../dashboard/server.js';
import { launchChromium } from '../helpers/chromium.js';
import { waitFor } from '../helpers/wait.js';

// This file runs as dist/test/e2e/dashboard-browser.test.js.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const builtApp = path.join(repoRoot, 'dist', 'dashboard', 'web', 'app.js');

test('dashboard page shows live status and sends actions', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;

  // `npm test` builds the page first; a bare `tsc` does not.
  if (!existsSync(builtApp)) {
    execFileSync(process.execPath, [path.join(repoRoot, 'dashboard', 'web', 'build.mjs')], { stdio: 'inherit' });
  }

  const now = Date.now();
  const board = new StatusBoard({ id: 'outpost-e2e', version: '0.1.0', startedAt: new Date(now - 3_600_000).toISOString(), pid: 4242 }, [
    emptyProfileStatus('plant-12', {
      state: 'idle',
      reason: 'Caught up; next poll in 5 s.',
      lastSuccessAt: new Date(now - 42_000).toISOString(),
      delivered: 0,
      backlog: 0,
      throughput: 3.4,
      nextRunAt: new Date(now + 5_000).toISOString(),
    }),
    emptyProfileStatus('quarry-3', {
      state: 'waiting for database',
      reason: 'The database at scale-pc:1433 does not answer; retrying in 30 s.',
      lastSuccessAt: new Date(now - 26 * 3_600_000).toISOString(),
      delivered: 18_240,
      backlog: 57,
      lagSeconds: 754,
      lastError: 'connect ETIMEDOUT 10.0.4.20:1433',
    }),
  ]);
  const calls: string[] = [];
  const dash = await startDashboard({
    feed: board,
    actions: {
      async syncNow(p) {
        calls.push(`sync:${p}`);
      },
      async pause(p) {
        calls.push(`pause:${p}`);
        board.update(p, { state: 'paused', reason: 'Paused from the dashboard.' });
      },
      async resume(p) {
        calls.push(`resume:${p}`);
        board.update(p, { state: 'idle', reason: null });
      },
    },
  });
  t.after(() => dash.close());

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));

  await page.goto(dash.launchUrl);
  assert.equal(page.url(), dash.url, 'the secret left the address bar');
  assert.equal(await page.title(), 'Outpost');

  const connection = page.getByTestId('connection');
  await connection.filter({ hasText: /^live$/ }).waitFor({ timeout: 10_000 });

  // Live: every bump shows up without a reload or polling.
  const delivered = page.getByTestId('delivered-plant-12');
  await delivered.filter({ hasText: /^0$/ }).waitFor({ timeout: 10_000 });
  for (const n of [1, 2, 5, 9, 17]) {
    board.update('plant-12', { delivered: n, lastSuccessAt: new Date().toISOString() });
    await delivered.filter({ hasText: new RegExp(`^${n}$`) }).waitFor({ timeout: 5_000 });
  }
  assert.equal(await connection.textContent(), 'live');

  // Actions go through the CSRF-protected POST and reach the engine.
  const card = page.getByTestId('card-plant-12');
  await card.getByRole('button', { name: 'Sync now' }).click();
  await waitFor('syncNow to be called', () => calls.includes('sync:plant-12'), 10_000, 20);
  await card.getByRole('button', { name: 'Pause' }).click();
  await waitFor('pause to be called', () => calls.includes('pause:plant-12'), 10_000, 20);
  await card.getByText('paused', { exact: true }).waitFor({ timeout: 5_000 });
  await card.getByRole('button', { name: 'Resume' }).click();
  await waitFor('resume to be called', () => calls.includes('resume:plant-12'), 10_000, 20);
  await card.getByText('idle', { exact: true }).waitFor({ timeout: 5_000 });
  await card.getByText('Resumed.').waitFor({ timeout: 5_000 });

  const shots = process.env.OUTPOST_SCREENSHOT_DIR;
  if (shots) {
    await mkdir(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'dashboard.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(shots, 'dashboard-phone.png'), fullPage: true });
  }

  // At phone width nothing spills sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  assert.equal(overflow, 0, 'no horizontal scroll at phone width');

  assert.deepEqual(problems, [], 'no console errors, CSP violations or page errors');

  // The dashboard goes away: the page says so and retries. It comes back with the same link (a
  // daemon restart): the page reconnects by itself, its session still good.
  await dash.close();
  await connection.filter({ hasText: /^reconnecting$/ }).waitFor({ timeout: 5_000 });
  const same = await startDashboard({ feed: board, port: dash.port, secret: new URL(dash.launchUrl).searchParams.get('secret')! });
  await connection.filter({ hasText: /^live$/ }).waitFor({ timeout: 15_000 });
  await same.close();
  // It comes back with a new link (rotated secret): the old session is unknown, and the page
  // notices and says how to get back in.
  await connection.filter({ hasText: /^reconnecting$/ }).waitFor({ timeout: 5_000 });
  const relaunched = await startDashboard({ feed: board, port: dash.port });
  t.after(() => relaunched.close());
  await connection.filter({ hasText: /^signed out$/ }).waitFor({ timeout: 15_000 });
  await page.getByText('Open the URL printed by').waitFor({ timeout: 5_000 });
  await context.close();
});

test('dashboard page without a session says how to get in', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const board = new StatusBoard({ id: 'x', version: '0', startedAt: new Date().toISOString(), pid: 1 });
  const dash = await startDashboard({ feed: board });
  t.after(() => dash.close());
  const page = await browser.newPage();
  const res = await page.goto(dash.url);
  assert.equal(res?.status(), 401);
  await page.getByText('Open the URL printed by').waitFor({ timeout: 5_000 });
  await page.close();
});
