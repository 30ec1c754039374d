import type { TestContext } from 'node:test';

/** Skip with a printed reason on a laptop; under CI (CI=true) a missing prerequisite is a failure. */
export function skipOrFail(t: TestContext, reason: string): void {
  if (process.env.CI === 'true') throw new Error(`${reason} (required when CI=true)`);
  console.log(`# skipped ${t.name}: ${reason}`);
  t.skip(reason);
}
