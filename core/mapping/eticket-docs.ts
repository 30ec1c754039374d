// The shipped forms of the eTicket v1 schema, generated from the zod schema in eticket.ts:
//  - templates/eticket-v1.schema.json (JSON Schema 2020-12) for anyone who validates tickets,
//  - docs/eticket-v1.md, the field reference (meaning, unit, example of every field).
// `outpost schema [--markdown]` prints them; test/unit/mapping-eticket-schema.test.ts fails when the
// shipped files drift from the code (OUTPOST_WRITE_SCHEMA=1 regenerates them).
//
// The version lives in the $id (…:v1), the title and the `schemaVersion` const, not in a custom
// keyword: strict validators (ajv's default) refuse unknown keywords.
import { z } from 'zod';
import { ETICKET_SCHEMA_VERSION, eticketSchema } from './eticket.js';

export const ETICKET_SCHEMA_ID = 'urn:outpost:schema:eticket:v1';

/** A complete example ticket (asphalt, one line), shown in the docs and validated by the tests. */
export const ETICKET_EXAMPLE = {
  schemaVersion: ETICKET_SCHEMA_VERSION,
  ticketId: 'plant-12:1001',
  revision: 'r1-5c1f0e3a9d2b7c4e8f6a1b0d3c5e7f9a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e',
  status: 'issued',
  ticketNumber: '100234',
  issuedAt: '2026-06-15T07:42:10-05:00',
  issuedAtLocal: '2026-06-15T07:42:10',
  plantTimeZone: 'America/Chicago',
  plant: { id: 'P12', name: 'Riverside Asphalt & Aggregates' },
  supplier: { name: 'Riverside Materials Co.' },
  customer: { id: 'C-1040', name: 'Hill County Paving' },
  truck: { id: 'T-114' },
  lines: [
    {
      lineNumber: 1,
      productCode: 'HMA-12.5',
      productDescription: 'Superpave 12.5mm PG 64-22',
      materialCategory: 'asphalt',
      quantity: { value: 25, unit: 'STN' },
      weighMethod: 'scale',
      grossWeight: { value: 80000, unit: 'LBR' },
      tareWeight: { value: 30000, unit: 'LBR' },
      netWeight: { value: 50000, unit: 'LBR' },
      mixDesignId: 'JMF-2231',
      temperature: { value: 305, unit: 'FAH' },
      payItem: '406-0012',
    },
  ],
  jobNumber: 'J-4410',
  dotProjectCode: 'DOT-22-0114',
  hauler: { name: 'Riverside Trucking' },
  driver: { name: 'M. Alvarez' },
  deliveryLocation: { address: 'FM 1431 at CR 120, Hill County' },
  source: { vendor: 'generic', table: 'Tickets', recordKey: '1001', recordModifiedAt: '2026-06-15 12:42:11.120' },
} as const;

/** The JSON Schema (draft 2020-12) of eTicket v1, with its $id. Key order is stable (file diffs stay small). */
export function eticketJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(eticketSchema, { io: 'output' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: ETICKET_SCHEMA_ID,
    $comment: `Generated from core/mapping/eticket.ts (schemaVersion "${ETICKET_SCHEMA_VERSION}"); do not edit by hand.`,
    ...rest,
  };
}

type Json = Record<string, unknown>;

interface Row {
  path: string;
  type: string;
  /** 'yes' (always present), 'with its object' (present whenever the optional object is) or ''. */
  required: string;
  description: string;
  example: string;
}

function typeOf(s: Json): string {
  if ('const' in s) return `"${String(s.const)}"`;
  if (Array.isArray(s.enum)) return s.enum.map((v) => `\`${String(v)}\``).join(' | ');
  const t = s.type;
  if (t === 'array') {
    const items = (s.items ?? {}) as Json;
    return items.type === 'object' ? 'list of objects' : `list of ${typeOf(items)}`;
  }
  if (t === 'string') return 'text';
  if (t === 'integer') return 'integer';
  if (t === 'number') return 'number';
  if (t === 'object') return 'object';
  return String(t ?? 'any');
}

function constraints(s: Json): string {
  const out: string[] = [];
  if (typeof s.minLength === 'number' && s.minLength > 0) out.push('not empty');
  if (typeof s.minItems === 'number') out.push(`at least ${s.minItems}`);
  if (typeof s.minimum === 'number') out.push(`≥ ${s.minimum}`);
  if (typeof s.pattern === 'string') out.push(`pattern \`${s.pattern}\``);
  return out.length ? ` (${out.join(', ')})` : '';
}

function walk(schema: Json, prefix: string, parentRequired: boolean, rows: Row[]): void {
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  for (const [key, s] of Object.entries(props)) {
    const path = prefix + key;
    const examples = s.examples as unknown[] | undefined;
    rows.push({
      path,
      type: typeOf(s) + constraints(s),
      required: !required.has(key) ? '' : parentRequired ? 'yes' : 'with its object',
      description: String(s.description ?? ''),
      example: examples?.length ? `\`${JSON.stringify(examples[0])}\`` : '',
    });
    const here = parentRequired && required.has(key);
    if (s.type === 'object') walk(s, `${path}.`, here, rows);
    if (s.type === 'array' && (s.items as Json | undefined)?.type === 'object') walk(s.items as Json, `${path}[].`, here, rows);
  }
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The field reference (Markdown), generated from the JSON Schema so both say the same thing. */
export function eticketMarkdown(): string {
  const schema = eticketJsonSchema();
  const rows: Row[] = [];
  walk(schema, '', true, rows);
  const table = (filter: (r: Row) => boolean) =>
    [
      '| field | type | required | meaning, unit | example |',
      '|---|---|---|---|---|',
      ...rows
        .filter(filter)
        .map((r) => `| \`${r.path}\` | ${cell(r.type)} | ${r.required} | ${cell(r.description)} | ${cell(r.example)} |`),
    ].join('\n');
  return `<!-- Generated from core/mapping/eticket.ts by core/mapping/eticket-docs.ts: do not edit by hand.
     Regenerate: npx tsc -p tsconfig.json && OUTPOST_WRITE_SCHEMA=1 node --test dist/test/unit/mapping-eticket-schema.test.js -->
# eTicket v1 reference

${String(schema.description)} The JSON Schema is shipped as
[\`templates/eticket-v1.schema.json\`](../templates/eticket-v1.schema.json) (\`$id\` \`${ETICKET_SCHEMA_ID}\`,
JSON Schema draft 2020-12) and printed by \`outpost schema\`; this page by \`outpost schema --markdown\`.

Rules that hold for every ticket:

- Objects accept no other keys than the ones listed (\`additionalProperties: false\`).
- "required" means the key is always present; an optional field is left out when the plant has no
  value for it (never sent as an empty string).
- Quantities are \`{value, unit}\` with UN/ECE Rec 20 unit codes; Outpost converts between LBR, STN,
  TNE and KGM (and MTQ/YDQ) with exact factors when the mapping asks for it.
- Times: \`issuedAt\` has the plant zone's offset; \`issuedAtLocal\` is the plant wall clock; the
  DST fall-back hour takes the earlier instant, the spring-forward gap moves forward.
- Voided tickets are sent with \`status: "voided"\`, never dropped.
- \`revision\` changes exactly when the content changes, so a ticket read again unchanged is not sent again.

## Ticket

${table((r) => !r.path.startsWith('lines[].'))}

## Lines (\`lines[]\`)

${table((r) => r.path.startsWith('lines[].'))}

## Example

\`\`\`json
${JSON.stringify(ETICKET_EXAMPLE, null, 2)}
\`\`\`
`;
}
