// One file-naming convention per kind of file: TypeScript/JavaScript modules in kebab-case
// (`change-tracking.ts`, `crash-cli.ts`), React components in PascalCase .tsx named for the
// component (`MappingStep.tsx`), tests as `<kebab-name>.test.ts(x)`, tool configs as
// `<tool>.config.js`. Entry points keep their role's name (`main.tsx`). New files are held to it;
// files not renamed yet would be listed below (none now).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// This file runs as dist/test/unit/file-names.test.js.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.test|\.config)?\.(?:ts|mjs|js)$/;
const PASCAL = /^[A-Z][A-Za-z0-9]*\.tsx$/;
const KEBAB_TEST_TSX = /^[a-z0-9]+(?:-[a-z0-9]+)*\.test\.tsx$/;
const ENTRY_POINTS = new Set(['dashboard/web/main.tsx']);
/** Dashboard page modules still named in lower case (the dashboard work was changing them at the time). */
const NOT_YET_RENAMED = new Set<string>([]);

test('file names: kebab-case modules, PascalCase components', (t) => {
  let listed: string;
  try {
    listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  } catch {
    return t.skip('not a git checkout');
  }
  const files = listed
    .split('\n')
    .filter((f) => /\.(ts|tsx|mjs|js)$/.test(f) && !f.startsWith('templates/') && !f.includes('node_modules/'));
  assert.ok(files.length > 50, `expected the repository's sources, got ${files.length} files`);
  const wrong = files.filter((f) => {
    if (ENTRY_POINTS.has(f) || NOT_YET_RENAMED.has(f)) return false;
    const name = f.split('/').pop()!;
    if (name.endsWith('.tsx')) return !(PASCAL.test(name) || KEBAB_TEST_TSX.test(name));
    return !KEBAB.test(name) && !name.endsWith('.d.ts');
  });
  assert.deepEqual(wrong, [], 'rename these (git mv) to the convention above');
});
