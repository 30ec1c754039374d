// The import boundary is enforced by ESLint (eslint.config.js), not by a sentence: a deliberate
// `import 'ink'` (or react, express, ws, cli/, dashboard/, also as a lazy import()) in a core/ file
// fails `npm run lint`, while the same import in cli/ passes. Runs ESLint's Node API on fixture text
// with a core/ path, against the repository's own config.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { skipOrFail } from '../helpers/skip.js';

// This file runs as dist/test/unit/lint-boundary.test.js.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const toolsPackage = join(root, 'tools', 'lint', 'package.json');

interface LintMessage {
  ruleId: string | null;
  message: string;
  severity: number;
}
interface Linter {
  lintText(code: string, options: { filePath: string }): Promise<Array<{ messages: LintMessage[] }>>;
}

async function linter(): Promise<Linter | null> {
  if (!existsSync(join(root, 'tools', 'lint', 'node_modules', 'eslint'))) return null;
  const { ESLint } = createRequire(toolsPackage)('eslint') as { ESLint: new (o: { cwd: string }) => Linter };
  return new ESLint({ cwd: root });
}

async function errors(eslint: Linter, file: string, code: string): Promise<LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result.messages.filter((m) => m.severity === 2);
}

test('lint: core/ importing UI frameworks, cli/ or dashboard/ fails; the same outside core/ passes', async (t) => {
  const eslint = await linter();
  if (!eslint) return skipOrFail(t, 'ESLint is not installed in tools/lint (run npm run lint:install)');
  const refused: Array<[string, string]> = [
    ['core/engine/boundary-fixture.ts', "import { render } from 'ink';\nexport const draw = render;\n"],
    ['core/engine/boundary-fixture.ts', "import 'ink';\n"],
    ['core/engine/boundary-fixture.ts', "import { useState } from 'react';\nexport const s = useState;\n"],
    ['core/engine/boundary-fixture.ts', "import { jsx } from 'react/jsx-runtime';\nexport const j = jsx;\n"],
    ['core/engine/boundary-fixture.ts', "import express from 'express';\nexport const e = express;\n"],
    ['core/engine/boundary-fixture.ts', "export { WebSocketServer } from 'ws';\n"],
    ['core/engine/boundary-fixture.ts', "import type { Command } from '../../cli/main.js';\nexport type C = Command;\n"],
    ['core/boundary-fixture.ts', "import { startDashboard } from '../dashboard/server.js';\nexport const d = startDashboard;\n"],
    ['core/engine/boundary-fixture.ts', "export const lazy = () => import('ink');\n"],
    ['core/engine/boundary-fixture.ts', "export const lazy = () => import('../../dashboard/server.js');\n"],
  ];
  for (const [file, code] of refused) {
    const found = await errors(eslint, file, code);
    assert.ok(
      found.some((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax'),
      `${file}: ${JSON.stringify(code)} should fail lint; got ${JSON.stringify(found)}`,
    );
    assert.ok(
      found.some((m) => /core\/ never imports/.test(m.message)),
      'the message says what the rule is',
    );
  }
  const allowed: Array<[string, string]> = [
    ['cli/boundary-fixture.ts', "import { render } from 'ink';\nexport const draw = render;\n"],
    ['dashboard/boundary-fixture.ts', "import express from 'express';\nexport const e = express;\n"],
    [
      'core/engine/boundary-fixture.ts',
      "import { z } from 'zod';\nimport { ticketIdFor } from '../mapping/context.js';\nexport const x = [z, ticketIdFor];\n",
    ],
  ];
  for (const [file, code] of allowed)
    assert.deepEqual(await errors(eslint, file, code), [], `${file}: ${JSON.stringify(code)} should pass lint`);
});
