// `outpost doctor`: the machine-level checks an installer runs before (or after) setup — Node
// version, clock skew against the database and the API, disk for state and logs, proxy settings
// and the hosts the firewall must allow.
import { statfsSync, mkdirSync } from 'node:fs';
import type { Profile } from './config/schema.js';
import { createSource, type SourceAdapter } from './sources/index.js';

export interface DoctorCheck {
  name: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
}

const SKEW_WARN_S = 60;

export function checkNode(version = process.versions.node): DoctorCheck {
  const major = Number(version.split('.')[0]);
  if (major >= 22) return { name: 'node', status: 'pass', detail: `Node.js ${version}` };
  return { name: 'node', status: 'fail', detail: `Node.js ${version} is too old; install Node.js 22 or newer (24 LTS recommended).` };
}

export function checkDisk(home: string, minFreeMb = 500): DoctorCheck {
  try {
    mkdirSync(home, { recursive: true });
    const s = statfsSync(home);
    const freeMb = Math.round((s.bavail * s.bsize) / 1024 / 1024);
    return freeMb >= minFreeMb
      ? { name: 'disk', status: 'pass', detail: `${freeMb} MB free for state and logs in ${home}` }
      : {
          name: 'disk',
          status: 'warn',
          detail: `only ${freeMb} MB free in ${home}; free some space (state and logs need room to grow during outages).`,
        };
  } catch (e) {
    return {
      name: 'disk',
      status: 'fail',
      detail: `cannot use ${home} (${(e as NodeJS.ErrnoException).code}); check the folder and its permissions.`,
    };
  }
}

export function checkProxy(env: NodeJS.ProcessEnv = process.env): DoctorCheck {
  const proxy = env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy;
  const noProxy = env.NO_PROXY ?? env.no_proxy;
  if (!proxy) return { name: 'proxy', status: 'pass', detail: 'no proxy configured (HTTPS_PROXY unset): direct connections' };
  let host: string;
  try {
    host = new URL(proxy).host; // never print credentials embedded in the proxy URL
  } catch {
    return { name: 'proxy', status: 'fail', detail: 'HTTPS_PROXY is not a URL; set it like http://proxy.example:3128.' };
  }
  return { name: 'proxy', status: 'pass', detail: `HTTPS_PROXY via ${host}${noProxy ? `; NO_PROXY=${noProxy}` : ''}` };
}

export function egressHosts(profiles: Profile[]): DoctorCheck {
  const hosts = [
    ...new Set(
      profiles.map((p) => {
        const u = new URL(p.api.url);
        return `${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
      }),
    ),
  ];
  return {
    name: 'egress',
    status: 'pass',
    detail: hosts.length ? `allow outbound HTTPS to ${hosts.join(', ')}` : 'no profiles: nothing to allow yet',
  };
}

/** Another clock against this machine's: a pass within SKEW_WARN_S, a warn beyond. */
export function skewCheck(name: string, otherMs: number, hostMs: number, what: string): DoctorCheck {
  const skew = Math.round((otherMs - hostMs) / 1000);
  const text = `${what} clock is ${Math.abs(skew)} s ${skew >= 0 ? 'ahead of' : 'behind'} this machine`;
  return Math.abs(skew) <= SKEW_WARN_S
    ? { name, status: 'pass', detail: text }
    : {
        name,
        status: 'warn',
        detail: `${text}; sync the clocks (NTP). Outpost takes its sync bounds from the database clock, so nothing is lost, but times shown will be off.`,
      };
}

/**
 * The API's Date header against this machine's clock (the header has whole seconds: allow for
 * that); `t0`: when the exchange with the API began. Throws when the API cannot be reached.
 */
export async function apiClockCheck(name: string, apiUrl: string | URL, t0 = Date.now()): Promise<DoctorCheck> {
  const res = await fetch(new URL('/v1/whoami', apiUrl), { method: 'GET', signal: AbortSignal.timeout(10_000) });
  await res.body?.cancel();
  const date = res.headers.get('date');
  if (!date) return { name, status: 'warn', detail: 'the API sends no Date header; clock skew unknown' };
  return skewCheck(name, Date.parse(date) + 500, (t0 + Date.now()) / 2, 'the API');
}

/** The database's clock (the dialect's `now`, the cursor bound's clock) against this machine's. Throws when the query fails. */
export async function dbClockCheck(name: string, src: SourceAdapter): Promise<DoctorCheck> {
  const t0 = Date.now();
  const [row] = await src.query(`SELECT ${src.dialect.now()} AS now`);
  const host = (t0 + Date.now()) / 2;
  const v = row ? Object.values(row)[0] : null;
  const text = v instanceof Date ? v.toISOString() : String(v);
  const parsed = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text.replace(' ', 'T') : text.replace(' ', 'T') + 'Z');
  if (Number.isNaN(parsed)) return { name, status: 'warn', detail: `the database time "${text}" could not be compared` };
  return skewCheck(name, parsed, host, 'the database');
}

export async function checkApiClock(p: Profile): Promise<DoctorCheck> {
  try {
    return await apiClockCheck(`api clock (${p.name})`, p.api.url);
  } catch (e) {
    return {
      name: `api clock (${p.name})`,
      status: 'fail',
      detail: `cannot reach ${new URL(p.api.url).origin} (${(e as Error).message}); check the network, proxy and firewall.`,
    };
  }
}

export async function checkDbClock(p: Profile): Promise<DoctorCheck> {
  let src;
  try {
    src = await createSource(p.source);
    await src.connect();
    return await dbClockCheck(`database clock (${p.name})`, src);
  } catch (e) {
    return { name: `database clock (${p.name})`, status: 'fail', detail: (e as Error).message };
  } finally {
    await src?.close().catch(() => {});
  }
}

export async function runDoctor(opts: { home: string; profiles: Profile[] }): Promise<DoctorCheck[]> {
  const out = [checkNode(), checkDisk(opts.home), checkProxy(), egressHosts(opts.profiles)];
  for (const p of opts.profiles) {
    out.push(await checkDbClock(p));
    out.push(await checkApiClock(p));
  }
  return out;
}
