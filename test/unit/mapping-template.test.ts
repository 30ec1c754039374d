// The template format: the shipped files validate, the shipped JSON Schema matches the zod schema,
// and mistakes are reported as one plain sentence with the JSON path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  listTemplates,
  loadTemplate,
  mappingTemplatesDir,
  parseTemplate,
  templateJsonSchema,
  type Template,
} from '../../core/mapping/index.js';
import { LINE_FIELDS, TICKET_FIELDS, overridePaths } from '../../core/mapping/catalog.js';
import { templateMistake } from '../helpers/template-mistakes.js';

const schemaFile = join(mappingTemplatesDir(), '..', 'mapping-template.schema.json');

test('the shipped templates are listed and load', () => {
  const names = listTemplates();
  assert.ok(names.includes('generic-scale-ticket'), names.join());
  assert.ok(names.includes('ready-mix-single-table'), names.join());
  for (const n of names) assert.equal(loadTemplate(n).name, n);
});

test('templates/mapping-template.schema.json is the zod schema, generated', () => {
  const generated = templateJsonSchema();
  // OUTPOST_WRITE_SCHEMA=1 regenerates the file after a change to the template format.
  if (process.env.OUTPOST_WRITE_SCHEMA === '1') writeFileSync(schemaFile, `${JSON.stringify(generated, null, 2)}\n`);
  const shipped = JSON.parse(readFileSync(schemaFile, 'utf8'));
  assert.deepEqual(shipped, generated, 'run the tests with OUTPOST_WRITE_SCHEMA=1 to regenerate the JSON Schema');
});

test('every catalog field is accepted by the template schema', () => {
  const base = loadTemplate('generic-scale-ticket');
  const everything: Template = structuredClone(base);
  const expr = { column: 'X' };
  for (const f of TICKET_FIELDS)
    everything.ticket[f.key] = f.kind === 'leaf' ? expr : Object.fromEntries(f.leaves.map((l) => [l.key, expr]));
  everything.ticket.trailers = [{ id: expr }];
  for (const f of LINE_FIELDS)
    everything.lines[0][f.key] = f.kind === 'leaf' ? expr : Object.fromEntries(f.leaves.map((l) => [l.key, expr]));
  assert.doesNotThrow(() => parseTemplate(everything));
  assert.equal(
    overridePaths().length,
    TICKET_FIELDS.concat(LINE_FIELDS).reduce((n, f) => n + (f.kind === 'leaf' ? 1 : f.leaves.length), 0),
  );
});

const mistake = (edit: (t: Record<string, any>) => void) => templateMistake(loadTemplate('generic-scale-ticket'), 'x.json', edit);

test('template mistakes are one plain sentence with the JSON path', () => {
  assert.equal(
    mistake((t) => delete t.ticket.ticketNumber),
    'x.json: ticket.ticketNumber is required',
  );
  assert.equal(
    mistake((t) => (t.ticket.plnat = t.ticket.plant)),
    'x.json: ticket has an unknown key "plnat" (did you mean "plant"?)',
  );
  assert.equal(
    mistake((t) => (t.ticket.ticketNumber.then = [{ case: 'title' }])),
    'x.json: ticket.ticketNumber.then[0].case must be "upper" or "lower"',
  );
  assert.match(
    mistake((t) => (t.ticket.ticketNumber.then = ['trimm'])),
    /^x\.json: ticket\.ticketNumber\.then\[0\] is not a transform: use "trim"/,
  );
  assert.equal(
    mistake((t) => (t.ticket.ticketNumber.then = [{ map: { Y: 'a' }, defualt: 'b' }])),
    'x.json: ticket.ticketNumber.then[0] has an unknown key "defualt" (did you mean "default"?)',
  );
  assert.equal(
    mistake((t) => (t.lines[0].quantity.value.then[1].convertUnit.to = 'GAL')),
    'x.json: lines[0].quantity.value.then[1].convertUnit.to must be "LBR" or "STN" or "TNE" or "KGM" or "MTQ" or "YDQ"',
  );
  assert.match(
    mistake((t) => (t.ticket.customer.name = { colum: 'Customer' })),
    /^x\.json: ticket\.customer\.name is not an expression/,
  );
  assert.equal(
    mistake((t) => (t.layout = 'header-lines')),
    'x.json: linesSource is required for layout "header-lines"',
  );
  assert.equal(
    mistake((t) => (t.layout = 'two-tables')),
    'x.json: layout must be "single-table" or "header-lines"',
  );
  assert.equal(
    mistake((t) => (t.lines = [])),
    'x.json: lines needs at least 1 item',
  );
  assert.equal(
    mistake((t) => (t.ticket.issuedAt.then[0].localDateTime.format = 7)),
    'x.json: ticket.issuedAt.then[0].localDateTime.format must be text',
  );
  assert.equal(
    mistake(() => {}),
    'accepted',
  );
});

test('loadTemplate refuses names that are not plain file names', () => {
  assert.throws(() => loadTemplate('../package'), /is not valid/);
  assert.throws(
    () => loadTemplate('nope'),
    /mapping template "nope" does not exist; available: commandseries-tick-tktl, generic-scale-ticket, ready-mix-single-table/,
  );
});
