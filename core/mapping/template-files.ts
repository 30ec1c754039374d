// The shipped templates (templates/mappings/*.json). Site templates and paths: files.ts.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closest } from './template-errors.js';
import { parseTemplate } from './template-schema.js';
import type { Template } from './template-types.js';

// ---------------------------------------------------------------------------------------------
// Files.

let dirCache: string | undefined;

/**
 * The folder holding the mapping templates. This module runs as dist/core/mapping/*.js (clone or
 * npm install: templates/ sits beside dist/) or from core/mapping/*.ts under a TS loader.
 */
export function mappingTemplatesDir(): string {
  if (dirCache) return dirCache;
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../../../templates/mappings'), resolve(here, '../../templates/mappings')];
  dirCache = candidates.find((c) => existsSync(c)) ?? candidates[0];
  return dirCache;
}

export function listTemplates(): string[] {
  const dir = mappingTemplatesDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Reads and validates templates/mappings/<name>.json. */
export function loadTemplate(name: string): Template {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(name) || name.includes('..')) {
    throw new Error(`mapping template name ${JSON.stringify(String(name))} is not valid (letters, digits, ".", "_", "-")`);
  }
  const file = join(mappingTemplatesDir(), `${name}.json`);
  const shown = `templates/mappings/${name}.json`;
  if (!existsSync(file)) {
    const known = listTemplates();
    const near = closest(name, known);
    throw new Error(
      `mapping template "${name}" does not exist${near ? ` (did you mean "${near}"?)` : ''}; available: ${known.join(', ') || 'none'}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${shown} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const t = parseTemplate(data, shown);
  if (t.name !== name) throw new Error(`${shown}: name is "${t.name}" but must match the file name "${name}"`);
  return t;
}
