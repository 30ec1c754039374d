// The dashboard card of a REAL daemon (`outpost run` as a child, Debian's chromium) in the states
// of issue 8 that the other dashboard tests do not reach: `mapping problem` (a wrong mapping, on a
// table no shipped template matches), `API protocol error` (a wrong API URL answered 404) and
// `tickets rejected by the API` (an API that rejects every ticket), each with its reason, its
// parked counts and its colour; then the mapping is fixed in the file and the card turns idle.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { builtDashboardTest } from '../helpers/chromium.js';
import { runCli, startCli } from '../helpers/cli.js';
import { startFakeApi } from '../helpers/fake-api.js';
import { SLIPS_TIMEZONE, createSlipsPlant, slipsFields } from '../helpers/slips.js';
import { waitFor } from '../helpers/wait.js';
import { testSandbox } from '../helpers/sandbox.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TOKEN = 'dash-acct-token-0123456789';

async function card(page: Page, name: string, state: string, tone: string): Promise<string> {
  await page
    .getByTestId(`state-${name}`)
    .filter({ hasText: new RegExp(`^${state}$`) })
    .waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId(`card-${name}`).getAttribute('data-tone'), tone, `${name}: ${state} is ${tone}`);
  return (await page.getByTestId(`card-${name}`).textContent()) ?? '';
}

builtDashboardTest(
  'dashboard cards: mapping problem, API protocol error and tickets rejected by the API, with reasons and parked counts',
  180_000,
  async (t, browser) => {
    const home = mkdtempSync(path.join(tmpdir(), 'outpost-dash-acct-'));
    const plantFile = path.join(home, 'yard.db');
    const plant = createSlipsPlant(plantFile);
    t.after(() => plant.close());
    for (let i = 0; i < 8; i++) plant.add({ day: '2026-11-30' });
    const sandbox = await testSandbox(t, { token: TOKEN, dbFile: path.join(home, 'sandbox.db'), accountName: 'Yard' });
    const rejecting = await startFakeApi(sandbox.url, 'rejectAll');
    t.after(() => rejecting.close());
    const profile = (name: string, url: string, net = 'NetTons') => ({
      name,
      api: { url, token: 'env:YARD_TOKEN' },
      source: { driver: 'sqlite', file: plantFile },
      table: 'WeighSlips',
      key: ['SlipNo'],
      change: { mode: 'timestamp', column: 'Changed', timezone: SLIPS_TIMEZONE },
      mapping: { template: 'generic-scale-ticket', fields: slipsFields(net) },
      schedule: { every: '1s' },
      batchSize: 4,
    });
    const config = path.join(home, 'outpost.json');
    const write = (net: string) =>
      writeFileSync(
        config,
        JSON.stringify(
          {
            profiles: [profile('wrongmap', sandbox.url, net), profile('wrongurl', `${sandbox.url}/api`), profile('refused', rejecting.url)],
          },
          null,
          2,
        ),
        { mode: 0o600 },
      );
    write('NetTon');
    const env = { OUTPOST_HOME: home, YARD_TOKEN: TOKEN };
    const daemon = startCli(['run', '--config', config], env);
    t.after(async () => {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    });
    await waitFor(
      'the dashboard',
      () => {
        if (daemon.child.exitCode !== null) throw new Error(daemon.output());
        try {
          return (JSON.parse(readFileSync(path.join(home, 'run', 'daemon.json'), 'utf8')) as { dashboardUrl: string | null }).dashboardUrl;
        } catch {
          return null;
        }
      },
      30_000,
    );
    const r = await runCli(['dashboard', '--no-open', '--json'], env);
    assert.equal(r.code, 0, r.output);
    const url = (JSON.parse(r.output.slice(r.output.indexOf('{'))) as { url: string }).url;

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    t.after(() => context.close());
    const page = await context.newPage();
    await page.goto(url);

    let text = await card(page, 'wrongmap', 'mapping problem', 'warn');
    assert.match(text, /filtered all of the last 8 rows it mapped/);
    assert.match(await page.getByTestId('parked-wrongmap').innerText(), /8 filtered/);
    text = await card(page, 'wrongurl', 'API protocol error', 'bad');
    assert.match(text, /answered 404 \(no such route\)/);
    assert.match(await page.getByTestId('parked-wrongurl').innerText(), /0 rejected/);
    text = await card(page, 'refused', 'tickets rejected by the API', 'warn');
    assert.match(text, /8 ticket\(s\) parked: the API rejected them/);
    assert.match(await page.getByTestId('parked-refused').innerText(), /8 rejected/);
    mkdirSync(path.join(repoRoot, 'test-artifacts'), { recursive: true });
    await page.screenshot({
      path: path.join(process.env.OUTPOST_SCREENSHOT_DIR ?? path.join(repoRoot, 'test-artifacts'), 'overview-accounting.png'),
      fullPage: true,
    });

    // The mapping is fixed in the file: the daemon takes it, the 8 filtered rows arrive.
    write('NetTons');
    await card(page, 'wrongmap', 'idle', 'ok');
    assert.match(await page.getByTestId('parked-wrongmap').innerText(), /0 filtered/);
    await waitFor('the 8 tickets at the API', () => sandbox.stats().tickets === 8, 30_000);
  },
);
