// Opening the dashboard in a browser without putting its secret on a command line. The launch URL
// carries a per-launch secret; passed to xdg-open / open / start it would sit in the argv of that
// process and the browser's, readable by any local user from /proc. Instead (as Jupyter does) the
// URL is written into a small redirect page, mode 0600 in the private run folder, and the browser is
// opened on that file: only its path is on a command line.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

function htmlAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Writes <runDir>/open-dashboard.html (0600) that sends the browser on to `url`; returns its path. */
export function writeRedirectFile(runDir: string, url: string): string {
  if (!/^https?:\/\//.test(url)) throw new Error('Only an http(s) dashboard link can be opened.');
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const file = join(runDir, 'open-dashboard.html');
  const u = htmlAttr(url);
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=${u}"><title>Opening the Outpost dashboard…</title></head>
<body><p>Opening the Outpost dashboard… If nothing happens, <a href="${u}">follow this link</a>.</p>
<script>location.replace(${JSON.stringify(url).replace(/</g, '\\u003c')});</script></body></html>
`;
  writeFileSync(file, html, { mode: 0o600 });
  if (process.platform !== 'win32') chmodSync(file, 0o600);
  return file;
}

export type Opener = (target: string) => Promise<unknown>;

/**
 * Opens `url` in the default browser through a 0600 redirect file in `runDir`. `opener` is the
 * `open` package by default (tests pass their own). Resolves with the file opened.
 */
export async function openInBrowser(url: string, runDir: string, opener?: Opener): Promise<string> {
  const file = writeRedirectFile(runDir, url);
  const launch = opener ?? (async (target: string) => (await import('open')).default(target));
  await launch(pathToFileURL(file).href);
  return file;
}
