// Template mistakes as one plain sentence with the JSON path ("ticket.status.then[0].case must be
// "upper" or "lower""), and the "did you mean" of unknown keys and names.
import type { z } from 'zod';
import { LINE_FIELDS, TICKET_FIELDS } from './catalog.js';
import { formatIssues, issuePath } from '../zod-issues.js';

// ---------------------------------------------------------------------------------------------
// Plain error messages with JSON paths.

type Issue = z.core.$ZodIssue;
interface Flat {
  path: PropertyKey[];
  code: string;
  message: string;
  weight: number;
}

/** A zod path as people write it (the shared formatter's). */
export const formatPath = issuePath;

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

const VOCABULARY = [
  ...new Set([
    ...TICKET_FIELDS.flatMap((f) => [f.key, ...(f.kind === 'group' ? f.leaves.map((l) => l.key) : [])]),
    ...LINE_FIELDS.flatMap((f) => [f.key, ...(f.kind === 'group' ? f.leaves.map((l) => l.key) : [])]),
    'trailers',
    'column',
    'const',
    'concat',
    'separator',
    'then',
    'label',
    'case',
    'number',
    'decimalComma',
    'convertUnit',
    'from',
    'to',
    'unitMap',
    'localDateTime',
    'format',
    'map',
    'prefixMap',
    'default',
    'caseInsensitive',
    'name',
    'description',
    'vendor',
    'layout',
    'ticket',
    'lines',
    'linesSource',
    'table',
    'key',
    'join',
    'orderBy',
    'lookup',
    'on',
    'when',
    'if',
    'use',
    'else',
    'unless',
    'reason',
    'skip',
    'dateTime',
    'date',
    'time',
    'dateFormat',
    'timeFormat',
    'impliedDecimals',
    'value',
    'all',
    'any',
    'not',
    'equals',
    'in',
    'empty',
    'prefix',
    'lessThan',
    'atMost',
    'greaterThan',
    'atLeast',
  ]),
];

export function closest(word: string, vocabulary: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.min(3, Math.floor(word.length / 2) + 1);
  for (const w of vocabulary) {
    const d = editDistance(word.toLowerCase(), w.toLowerCase());
    if (d < bestD) [best, bestD] = [w, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

function plain(issue: Issue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return input === undefined ? 'is required' : `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'unrecognized_keys':
      return issue.keys
        .map((k) => {
          const near = closest(k, VOCABULARY);
          return `has an unknown key ${JSON.stringify(k)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}`;
        })
        .join(', ');
    case 'too_small':
      return issue.origin === 'array' ? `needs at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}` : 'must not be empty';
    case 'too_big':
      return issue.origin === 'array' ? `has more than ${issue.maximum} items` : `is longer than ${issue.maximum} characters`;
    case 'invalid_format':
    default:
      return issue.message;
  }
}

/**
 * Flattens zod issues; for a union, reports the branch the author evidently meant (the one whose
 * kind key is present and whose root type fits), or the union's own message when none fits.
 */
function expand(issue: Issue, base: PropertyKey[], root: unknown): Flat[] {
  const path = [...base, ...issue.path];
  if (issue.code !== 'invalid_union') {
    const weight = issue.code === 'unrecognized_keys' ? issue.keys.length : 1;
    return [{ path, code: issue.code, message: plain(issue, valueAt(root, path)), weight }];
  }
  if (valueAt(root, path) === undefined) return [{ path, code: 'no_branch', message: 'is required', weight: 1 }];
  let best: { mismatch: number; weight: number; flats: Flat[] } | undefined;
  for (const errs of issue.errors) {
    const flats = errs.flatMap((e) => expand(e, path, root));
    let mismatch = 0;
    let weight = 0;
    for (const f of flats) {
      weight += f.weight;
      const atRoot = f.path.length === path.length;
      if (atRoot && (f.code === 'invalid_type' || f.code === 'invalid_value' || f.code === 'no_branch')) mismatch++;
      else if (
        (f.code === 'invalid_type' || f.code === 'no_branch') &&
        f.path.length === path.length + 1 &&
        valueAt(root, f.path) === undefined
      )
        mismatch++;
    }
    if (!best || mismatch < best.mismatch || (mismatch === best.mismatch && weight < best.weight)) best = { mismatch, weight, flats };
  }
  if (!best || best.mismatch > 0) return [{ path, code: 'no_branch', message: issue.message, weight: 1 }];
  return best.flats;
}

/** One plain sentence for a failed parse: "<where>: ticket.status.then[0].case must be "upper" or "lower"". */
export function describeIssues(where: string, error: z.ZodError, input: unknown, base: PropertyKey[] = []): string {
  const flats = error.issues.flatMap((i) => expand(i, base, input));
  return `${where}: ${formatIssues(flats, { separator: ' ', more: (n) => ` (and ${n} more)` })}`;
}
