// Where the sandbox's accounts come from. Tokens are secrets, so never argv: the environment
// (`OUTPOST_SANDBOX_TOKENS`, comma-separated) or `<data>/accounts.json` (created 0600 on first run).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describeIssues } from './ingest.js';
import type { SandboxAccount } from './server.js';

export const TOKENS_ENV = 'OUTPOST_SANDBOX_TOKENS';
export const ACCOUNTS_FILE = 'accounts.json';

const accountSchema = z.strictObject({
  token: z.string().min(8, 'must be at least 8 characters'),
  accountId: z.string().min(1),
  accountName: z.string().min(1),
  environment: z.enum(['sandbox', 'uat', 'production']).default('sandbox'),
  disabled: z.boolean().optional(),
});
// Either `{ "accounts": [...] }` or a bare array; checked separately so errors name the real field.
const accountsObjectSchema = z.strictObject({ accounts: z.array(accountSchema).min(1) });
const accountsArraySchema = z.array(accountSchema).min(1);

export interface LoadedAccounts {
  accounts: SandboxAccount[];
  /** The file the accounts came from, or null when they came from the environment. */
  accountsFile: string | null;
  /** True when the file was just created with a fresh token. */
  created: boolean;
}

export function newSandboxToken(): string {
  return 'sbx_' + randomBytes(24).toString('base64url');
}

/** Accounts for a list of tokens: ids derive from a hash of the token so they stay stable across restarts. */
export function accountsFromTokens(csv: string): SandboxAccount[] {
  const tokens = [
    ...new Set(
      csv
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  return tokens.map((token, i) => ({
    token,
    accountId: 'acct_' + createHash('sha256').update(token).digest('hex').slice(0, 10),
    accountName: `Sandbox account ${i + 1}`,
    environment: 'sandbox',
  }));
}

export function loadAccounts(dataDir: string, env: NodeJS.ProcessEnv = process.env): LoadedAccounts {
  const fromEnv = env[TOKENS_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const accounts = accountsFromTokens(fromEnv);
    if (accounts.length > 0) return { accounts, accountsFile: null, created: false };
  }
  const file = join(dataDir, ACCOUNTS_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const accounts: SandboxAccount[] = [
      { token: newSandboxToken(), accountId: 'acct_sandbox', accountName: 'Sandbox account', environment: 'sandbox' },
    ];
    // 'wx': never overwrite a file another process created meanwhile; 0600: only this user reads the token.
    writeFileSync(file, JSON.stringify({ accounts }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    return { accounts, accountsFile: file, created: true };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // The parser's message can quote the file (and so a token): say only what to do.
    throw new Error(`${file} is not valid JSON; fix it or delete it to get a new token.`);
  }
  const parsed = Array.isArray(raw) ? accountsArraySchema.safeParse(raw) : accountsObjectSchema.transform((o) => o.accounts).safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${file} is not a valid accounts file (${describeIssues(parsed.error)}); fix it or delete it to get a new token.`);
  }
  const accounts: SandboxAccount[] = parsed.data;
  return { accounts, accountsFile: file, created: false };
}
