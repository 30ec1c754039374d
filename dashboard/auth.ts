// The dashboard's gatekeeper (docs/design.md, dashboard rules). The server binds 127.0.0.1 only,
// but loopback is not a security boundary on its own: any web page the user visits can aim
// requests at 127.0.0.1 (CSRF) or at a hostname it re-points to 127.0.0.1 (DNS rebinding), and any
// local user can connect. So every request must carry an exact Host, and a session that only the
// person who saw a link's secret (printed by `outpost dashboard`) can have obtained.
//
// Two roles, each with its own secret: the admin link controls the daemon; the reviewer link opens
// only the review and reports pages. Sessions are signed, not stored: the cookie carries a random
// id and an HMAC of it under the role's secret, and the CSRF token is another HMAC of the id. So a
// session outlives a daemon restart (the secret is kept per home folder, see link.ts) and ends the
// moment its role's secret is rotated (`outpost dashboard --new-link`).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, URL-safe: link secrets and session ids. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Constant-time string comparison. Both sides are hashed first so that neither the content nor
 * the length of the expected value leaks through timing.
 */
export function safeEqual(candidate: string, expected: string): boolean {
  const a = createHash('sha256').update(candidate, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

export type Role = 'admin' | 'reviewer';
export const ROLES: readonly Role[] = ['admin', 'reviewer'];

export interface Secrets {
  admin: string;
  /** Absent: no reviewer link exists yet, and no reviewer session is valid. */
  reviewer?: string;
}

export interface Session {
  id: string;
  role: Role;
  /** Sent back by the page in X-Outpost-CSRF on every mutation. */
  csrf: string;
}

export class LocalGuard {
  readonly cookieName: string;
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  /** `secrets` is asked on every check, so a rotated secret takes effect at once. */
  constructor(
    readonly port: number,
    private readonly secrets: () => Secrets,
  ) {
    // Cookies are not isolated by port: two dashboards on 127.0.0.1 would overwrite each other's
    // cookie if they shared a name.
    this.cookieName = `outpost_session_${port}`;
    this.hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    this.origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  }

  /** Exact Host allow-list: a rebinding attacker's page sends its own hostname here. */
  hostAllowed(host: string | undefined): boolean {
    return host !== undefined && this.hosts.has(host.toLowerCase());
  }

  /** Exact Origin match; browsers always send Origin on WebSocket upgrades and on POST. */
  originAllowed(origin: string | undefined): boolean {
    return origin !== undefined && this.origins.has(origin);
  }

  private secretOf(role: Role): string | undefined {
    const s = this.secrets();
    const v = role === 'admin' ? s.admin : s.reviewer;
    return v && v.length > 0 ? v : undefined;
  }

  /** The role whose link secret this is, or undefined. Both are compared, always. */
  roleForSecret(candidate: string): Role | undefined {
    let found: Role | undefined;
    for (const role of ROLES) {
      const secret = this.secretOf(role);
      if (secret !== undefined && safeEqual(candidate, secret) && !found) found = role;
    }
    return found;
  }

  private mac(role: Role, purpose: 'session' | 'csrf', id: string): string | undefined {
    const secret = this.secretOf(role);
    if (!secret) return undefined;
    return createHmac('sha256', secret).update(`${purpose}\u0000${role}\u0000${id}`).digest('base64url');
  }

  /** A fresh random session: the cookie never carries the secret itself. */
  createSession(role: Role): Session {
    const id = randomToken();
    return { id, role, csrf: this.mac(role, 'csrf', id)! };
  }

  sessionFromCookies(cookieHeader: string | undefined): Session | undefined {
    const value = readCookie(cookieHeader, this.cookieName);
    if (!value) return undefined;
    const [role, id, mac, ...rest] = value.split('.');
    if (rest.length > 0 || !id || !mac || (role !== 'admin' && role !== 'reviewer')) return undefined;
    const want = this.mac(role, 'session', id);
    if (!want || !safeEqual(mac, want)) return undefined;
    return { id, role, csrf: this.mac(role, 'csrf', id)! };
  }

  csrfValid(session: Session, token: string | undefined): boolean {
    const want = this.mac(session.role, 'csrf', session.id);
    return typeof token === 'string' && token.length > 0 && want !== undefined && safeEqual(token, want);
  }

  /** HttpOnly: page scripts cannot read it; SameSite=Strict: other sites' requests never carry it. */
  setCookieHeader(session: Session): string {
    return `${this.cookieName}=${session.role}.${session.id}.${this.mac(session.role, 'session', session.id)}; HttpOnly; SameSite=Strict; Path=/`;
  }
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The headers every response carries, including refusals. */
export function securityHeaders(port: number): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
