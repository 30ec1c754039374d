// Bundles the dashboard page into dist/dashboard/web/ (app.js + index.html + style.css), next to
// the compiled server that serves it. Paths come from this file's own location, so it works from
// any working directory and on Windows.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const outDir = path.join(root, 'dist', 'dashboard', 'web');

await mkdir(outDir, { recursive: true });
await build({
  entryPoints: [path.join(here, 'main.tsx')],
  outfile: path.join(outDir, 'app.js'),
  bundle: true,
  format: 'esm',
  minify: true,
  jsx: 'automatic',
  target: 'es2022',
  platform: 'browser',
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css']) {
  await copyFile(path.join(here, file), path.join(outDir, file));
}
console.log(`dashboard page built into ${path.relative(process.cwd(), outDir) || '.'}`);
