// The shipped eTicket v1 schema: templates/eticket-v1.schema.json and docs/eticket-v1.md are generated
// from core/mapping/eticket.ts and must not drift (OUTPOST_WRITE_SCHEMA=1 regenerates both); every
// field is documented; a standard JSON Schema validator (ajv, strict) accepts what the mapper makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import {
  ETICKET_EXAMPLE,
  ETICKET_SCHEMA_ID,
  createMapper,
  eticketJsonSchema,
  eticketMarkdown,
  eticketSchema,
  mappingTemplatesDir,
} from '../../core/mapping/index.js';

const root = join(mappingTemplatesDir(), '..', '..');
const schemaFile = join(root, 'templates', 'eticket-v1.schema.json');
const docFile = join(root, 'docs', 'eticket-v1.md');

test('templates/eticket-v1.schema.json and docs/eticket-v1.md are generated from the zod schema', () => {
  const schema = eticketJsonSchema();
  const md = eticketMarkdown();
  if (process.env.OUTPOST_WRITE_SCHEMA === '1') {
    writeFileSync(schemaFile, `${JSON.stringify(schema, null, 2)}\n`);
    writeFileSync(docFile, md);
  }
  const hint = 'run: npx tsc -p tsconfig.json && OUTPOST_WRITE_SCHEMA=1 node --test dist/test/unit/mapping-eticket-schema.test.js';
  assert.deepEqual(
    JSON.parse(readFileSync(schemaFile, 'utf8')),
    schema,
    `templates/eticket-v1.schema.json drifted from core/mapping/eticket.ts; ${hint}`,
  );
  assert.equal(readFileSync(docFile, 'utf8'), md, `docs/eticket-v1.md drifted from core/mapping/eticket.ts; ${hint}`);
  assert.equal(schema.$id, ETICKET_SCHEMA_ID);
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
});

test('every eTicket field has a description, and every leaf an example', () => {
  const undocumented: string[] = [];
  const walk = (s: Record<string, any>, path: string) => {
    for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, any>)) {
      const p = path + k;
      if (typeof v.description !== 'string' || v.description.length < 8) undocumented.push(`${p} (description)`);
      if (v.type === 'object') walk(v, `${p}.`);
      else if (v.type === 'array') walk(v.items, `${p}[].`);
      else if (!Array.isArray(v.examples) || v.examples.length === 0) undocumented.push(`${p} (example)`);
    }
  };
  walk(eticketJsonSchema(), '');
  assert.deepEqual(undocumented, []);
  assert.match(eticketMarkdown(), /\| `lines\[\]\.quantity\.unit` \| `LBR` \\\| `STN`/);
});

function ajvValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  return ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
}

test('ajv (strict) accepts the example and mapped tickets, and refuses what eticketSchema refuses', () => {
  const validate = ajvValidator();
  assert.ok(eticketSchema.safeParse(ETICKET_EXAMPLE).success);
  assert.ok(validate(ETICKET_EXAMPLE), JSON.stringify(validate.errors));
  const mapper = createMapper({ template: 'generic-scale-ticket', timezone: 'America/Chicago' });
  const r = mapper.map(
    {
      TicketID: 7,
      TicketNo: ' 77',
      TicketDate: '2026-11-01 01:30:00',
      PlantCode: 'P1',
      Customer: 'C',
      ProductCode: 'AGG-57',
      Net: 4000,
      UOM: 'LB',
      TruckNo: 'T',
      VoidFlag: 'Y',
      VoidReason: 'dup',
    },
    { ticketId: 'p:7', recordKey: '7', table: 'Tickets', recordModifiedAt: '2026-11-01 06:30:00' },
  );
  assert.ok(r.ok);
  assert.ok(validate(r.ticket), JSON.stringify(validate.errors));
  const bad: unknown[] = [
    { ...ETICKET_EXAMPLE, extra: 1 },
    { ...ETICKET_EXAMPLE, issuedAt: '2026-06-15 07:42:10' },
    { ...ETICKET_EXAMPLE, lines: [] },
    { ...ETICKET_EXAMPLE, status: 'deleted' },
    { ...ETICKET_EXAMPLE, lines: [{ ...ETICKET_EXAMPLE.lines[0], quantity: { value: 1, unit: 'GAL' } }] },
    (({ customer: _c, ...rest }) => rest)(ETICKET_EXAMPLE),
  ];
  for (const b of bad) {
    assert.equal(validate(b), false, `ajv accepted ${JSON.stringify(b).slice(0, 120)}`);
    assert.equal(eticketSchema.safeParse(b).success, false);
  }
});
