// The project's sandbox API (core/sandbox/server.ts) as most tests start it: in process, one
// sandbox account for the test's token, closed when the test ends.
import type { TestContext } from 'node:test';
import { startSandbox, type SandboxFaults, type SandboxHandle } from '../../core/sandbox/server.js';

export interface TestSandboxOptions {
  token: string;
  /** SQLite file of what it stores; default ':memory:'. */
  dbFile?: string;
  /** The account the token signs in to; default a1 "Test". */
  accountId?: string;
  accountName?: string;
  faults?: SandboxFaults;
}

/** A sandbox with one account for `token`, closed after `t`. */
export async function testSandbox(t: TestContext, o: TestSandboxOptions): Promise<SandboxHandle> {
  const sandbox = await startSandbox({
    dbFile: o.dbFile ?? ':memory:',
    accounts: [{ token: o.token, accountId: o.accountId ?? 'a1', accountName: o.accountName ?? 'Test', environment: 'sandbox' }],
    faults: o.faults,
  });
  t.after(() => sandbox.close());
  return sandbox;
}
