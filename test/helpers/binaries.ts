// Server and system binaries for the test helpers, found by absolute path: the PATH first, then the
// folders distributions install them in. A PATH without /usr/sbin (a plain user's, a service's, a
// CI runner's) still finds runuser, mariadbd, initdb and pg_ctl.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const USUAL_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function executable(file: string): boolean {
  try {
    const s = statSync(file);
    return s.isFile() && (s.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The absolute path of `name`: on the PATH, in `extraDirs`, or in the usual bin/sbin folders; null when absent. */
export function findBinary(name: string, extraDirs: readonly string[] = []): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...extraDirs, ...USUAL_DIRS].filter(Boolean);
  for (const dir of dirs) {
    const file = join(dir, name);
    if (executable(file)) return file;
  }
  return null;
}

/** The same, or an error that names the folders searched and the package to install. */
export function requireBinary(name: string, hint: string): string {
  const file = findBinary(name);
  if (!file) throw new Error(`${name} was not found on the PATH or in ${USUAL_DIRS.join(', ')}; ${hint}`);
  return file;
}

/** Versioned folders like /usr/lib/postgresql/<v>/bin (Debian) or /usr/pgsql-<v>/bin (RHEL), newest first. */
function versionedPgDirs(): string[] {
  const out: Array<{ v: number; dir: string }> = [];
  const scan = (base: string, re: RegExp, bin: (entry: string) => string) => {
    if (!existsSync(base)) return;
    for (const e of readdirSync(base)) {
      const m = re.exec(e);
      if (m) out.push({ v: Number(m[1]), dir: bin(e) });
    }
  };
  scan('/usr/lib/postgresql', /^(\d+(?:\.\d+)?)$/, (e) => join('/usr/lib/postgresql', e, 'bin'));
  scan('/usr', /^pgsql-(\d+(?:\.\d+)?)$/, (e) => join('/usr', e, 'bin'));
  return out.sort((a, b) => b.v - a.v).map((x) => x.dir);
}

/** The folder holding PostgreSQL's initdb and pg_ctl (the newest version installed), or null. */
export function postgresBinDir(): string | null {
  for (const dir of versionedPgDirs()) if (executable(join(dir, 'initdb')) && executable(join(dir, 'pg_ctl'))) return dir;
  const initdb = findBinary('initdb');
  return initdb && executable(join(initdb, '..', 'pg_ctl')) ? join(initdb, '..') : null;
}
