import { readFileSync } from 'node:fs';

// package.json sits two folders above the compiled module (dist/core/version.js) and one above the source.
function readVersion(): string {
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'outpost' && pkg.version) return pkg.version;
    } catch {
      /* try the next */
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
export const USER_AGENT = `outpost/${VERSION}`;
