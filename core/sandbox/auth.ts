// Bearer-token lookup for the sandbox. Tokens are compared in constant time (fixed-length digests)
// and every account is checked, so timing says nothing about which token or how much of it matched.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { SandboxAccount } from './server.js';

export type AuthOutcome = { ok: true; account: SandboxAccount } | { ok: false; status: 401 | 403; error: string };

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function makeAuthenticator(accounts: SandboxAccount[]): (authorization: string | undefined) => AuthOutcome {
  const table = accounts.map((account) => ({ account, digest: digest(account.token) }));
  return (authorization) => {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
    if (!m) return { ok: false, status: 401, error: 'Missing bearer token; send the header Authorization: Bearer <token>.' };
    const given = digest(m[1]);
    let found: SandboxAccount | undefined;
    for (const row of table) {
      // No early exit: the loop costs the same whichever account matches.
      if (timingSafeEqual(row.digest, given) && !found) found = row.account;
    }
    if (!found) return { ok: false, status: 401, error: 'The token is not recognised; check the account token.' };
    if (found.disabled) return { ok: false, status: 403, error: 'This account is disabled; ask the service to enable it.' };
    return { ok: true, account: found };
  };
}
