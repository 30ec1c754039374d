// Process-wide network setup for the API client, done once by the daemon before the first request:
// - HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case) are honoured through Node's own
//   `http.setGlobalProxyFromEnv()` (Node ≥ 24.5; it replaces node:http's and node:https's global
//   agents, which the API client uses (client.ts), with proxy-aware ones, and sets fetch's global
//   dispatcher), so no extra package is needed. On an older Node the proxy is reported as not
//   applied, with what to do.
// - An extra CA file (`api.caFile`, PEM, one or more certificates) is added to the default trust
//   store with `tls.setDefaultCACertificates()`; verification stays on, always.
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as tls from 'node:tls';

export interface NetworkSetup {
  proxy: string | null;
  noProxy: string | null;
  caFiles: string[];
  warnings: string[];
}

const applied = { proxy: false, cas: new Set<string>() };

function proxyFromEnv(env: NodeJS.ProcessEnv): string | null {
  return env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy || null;
}

/** Split a PEM bundle into its certificates. */
export function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

export function configureNetwork(opts: { env?: NodeJS.ProcessEnv; caFiles?: string[] } = {}): NetworkSetup {
  const env = opts.env ?? process.env;
  const warnings: string[] = [];
  const proxy = proxyFromEnv(env);
  if (proxy && !applied.proxy) {
    const set = (http as unknown as { setGlobalProxyFromEnv?: (env?: NodeJS.ProcessEnv) => unknown }).setGlobalProxyFromEnv;
    if (typeof set === 'function') {
      set(env);
      applied.proxy = true;
    } else {
      warnings.push(
        `HTTPS_PROXY is set but this Node (${process.version}) cannot apply it at run time; start Outpost with NODE_USE_ENV_PROXY=1 or use Node 24.5 or newer.`,
      );
    }
  }
  const caFiles = [...new Set(opts.caFiles ?? [])].filter((f) => !applied.cas.has(f));
  if (caFiles.length) {
    const extra: string[] = [];
    for (const f of caFiles) {
      let text: string;
      try {
        text = readFileSync(f, 'utf8');
      } catch (e) {
        throw new Error(
          `The CA file ${f} (api.caFile) cannot be read (${(e as NodeJS.ErrnoException).code}); check the path and its permissions.`,
          { cause: e },
        );
      }
      const certs = pemCertificates(text);
      if (certs.length === 0)
        throw new Error(`The CA file ${f} (api.caFile) holds no PEM certificate; give a file with -----BEGIN CERTIFICATE----- blocks.`);
      extra.push(...certs);
    }
    const t = tls as unknown as { setDefaultCACertificates?: (c: string[]) => void; getCACertificates?: (kind: string) => string[] };
    if (typeof t.setDefaultCACertificates === 'function' && typeof t.getCACertificates === 'function') {
      t.setDefaultCACertificates([...t.getCACertificates('default'), ...extra]);
      for (const f of caFiles) applied.cas.add(f);
    } else {
      warnings.push(
        `api.caFile is set but this Node (${process.version}) cannot add a CA at run time; set NODE_EXTRA_CA_CERTS=${caFiles[0]} instead.`,
      );
    }
  }
  return { proxy: proxy ? redactProxy(proxy) : null, noProxy: env.NO_PROXY || env.no_proxy || null, caFiles: [...applied.cas], warnings };
}

/** The proxy URL without its user and password (they may be secrets). */
export function redactProxy(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(unparseable proxy URL)';
  }
}
