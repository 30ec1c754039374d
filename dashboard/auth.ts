// The dashboard's gatekeeper (docs/design.md §5). The server binds 127.0.0.1 only, but loopback is not a
// security boundary on its own: any web page the user visits can aim requests at 127.0.0.1 (CSRF)
// or at a hostname it re-points to 127.0.0.1 (DNS rebinding), and any local user can connect.
// So every request must carry an exact Host, and a session that only the person who saw the
// per-launch secret (printed by `outpost dashboard`) can have obtained.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, URL-safe: the per-launch secret, session ids and CSRF tokens. */
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

export interface Session {
  id: string;
  /** Sent back by the page in X-Outpost-CSRF on every mutation. */
  csrf: string;
}

/** Sessions are only created by someone holding the secret; the cap bounds memory anyway. */
const MAX_SESSIONS = 64;

export class LocalGuard {
  readonly cookieName: string;
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;
  private readonly sessions = new Map<string, Session>();

  constructor(
    readonly port: number,
    private readonly secret: string,
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

  secretMatches(candidate: string): boolean {
    return safeEqual(candidate, this.secret);
  }

  /** A fresh random session: the cookie never carries the secret itself. */
  createSession(): Session {
    const session: Session = { id: randomToken(), csrf: randomToken() };
    this.sessions.set(session.id, session);
    if (this.sessions.size > MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    return session;
  }

  sessionFromCookies(cookieHeader: string | undefined): Session | undefined {
    const id = readCookie(cookieHeader, this.cookieName);
    if (!id) return undefined;
    return this.sessions.get(id);
  }

  csrfValid(session: Session, token: string | undefined): boolean {
    return typeof token === 'string' && token.length > 0 && safeEqual(token, session.csrf);
  }

  /** HttpOnly: page scripts cannot read it; SameSite=Strict: other sites' requests never carry it. */
  setCookieHeader(session: Session): string {
    return `${this.cookieName}=${session.id}; HttpOnly; SameSite=Strict; Path=/`;
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
