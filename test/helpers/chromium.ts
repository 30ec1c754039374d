// Shared browser launch for e2e tests: Debian's chromium driven by playwright-core
// (`npx playwright install` does not work on these machines, see docs/design.md §7).
//
// Missing chromium: on a laptop the test is skipped with a printed reason; under CI=true it fails,
// so a broken CI image can never turn browser tests into silent passes.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { skipOrFail } from './skip.js';

export const CHROMIUM_PATH = process.env.OUTPOST_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox', // tests run as root in containers
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Skip with a printed reason, or fail when CI=true. Returns normally only when skipping. */
export { skipOrFail };

/**
 * Launches headless chromium and closes it when `t` ends. Returns undefined when chromium is not
 * installed and the test was skipped; the caller then returns. A chromium that exists but fails to
 * start is a failure, never a skip.
 */
export async function launchChromium(t: TestContext): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM_PATH)) {
    skipOrFail(t, `chromium not found at ${CHROMIUM_PATH} (install the Debian chromium package)`);
    return undefined;
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  t.after(() => browser.close());
  return browser;
}

/** The dashboard page as `npm run build` bundles it (this file runs as dist/test/helpers/chromium.js). */
export const DASHBOARD_APP = fileURLToPath(new URL('../../dashboard/web/app.js', import.meta.url));

/**
 * A test of the dashboard a real daemon serves, in chromium (launched as launchChromium does and
 * closed after): skipped, or failed when CI=true, without chromium; failed when the page is not
 * built (npm run build).
 */
export function builtDashboardTest(name: string, timeoutMs: number, fn: (t: TestContext, browser: Browser) => Promise<void>): void {
  test(name, { timeout: timeoutMs }, async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    assert.ok(existsSync(DASHBOARD_APP), 'the dashboard page is built (npm run build)');
    await fn(t, browser);
  });
}
