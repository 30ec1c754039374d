// `npm run lint`: ESLint over the repository (eslint.config.js), zero warnings allowed. ESLint and its
// plugins are installed in tools/lint, apart from the app (see package.json there for why); extra
// arguments replace the default target '.', e.g. `npm run lint -- core/engine`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, 'node_modules', 'eslint', 'bin', 'eslint.js');
if (!existsSync(bin)) {
  console.error(
    'ESLint is not installed in tools/lint: run `npm run lint:install` (npm ci --prefix tools/lint) once, then `npm run lint` again.',
  );
  process.exit(2);
}
const args = process.argv.slice(2);
const r = spawnSync(process.execPath, [bin, '--max-warnings', '0', ...(args.length ? args : ['.'])], {
  stdio: 'inherit',
  cwd: join(here, '..', '..'),
});
process.exit(r.status ?? 1);
