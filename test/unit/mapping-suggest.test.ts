// suggestTemplate: given a table's columns, the shipped templates ranked by fit, with the eTicket
// fields each could not fill.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listTemplates, suggestTemplate } from '../../core/mapping/index.js';
import { READY_MIX_COLUMNS, SCALE_COLUMNS, TICK_COLUMNS, TKTL_COLUMNS } from '../helpers/template-columns.js';

test('each shipped layout is recognized from its columns, with nothing left unfilled', () => {
  for (const [columns, want] of [
    [SCALE_COLUMNS, 'generic-scale-ticket'],
    [READY_MIX_COLUMNS, 'ready-mix-single-table'],
    [[...TICK_COLUMNS, ...TKTL_COLUMNS], 'commandseries-tick-tktl'],
  ] as const) {
    const ranked = suggestTemplate([...columns]);
    assert.equal(ranked.length, listTemplates().length, 'every template is ranked');
    assert.equal(ranked[0].template, want);
    assert.equal(ranked[0].score, 1);
    assert.deepEqual(ranked[0].unfilled, []);
    assert.ok(ranked[1].score < 0.5, `${want}: the runner-up ${ranked[1].template} scores ${ranked[1].score}`);
  }
});

test('missing columns: the template still ranks first and names the fields it cannot fill', () => {
  const columns = SCALE_COLUMNS.filter((c) => c !== 'VoidFlag' && c !== 'Net' && c !== 'Hauler');
  const [best] = suggestTemplate(columns);
  assert.equal(best.template, 'generic-scale-ticket');
  assert.ok(best.score < 1 && best.score > 0.7, String(best.score));
  assert.deepEqual(best.unfilled, ['status', 'hauler.name', 'lines.quantity.value', 'lines.netWeight.value']);
  assert.deepEqual(best.missingColumns.sort(), ['Hauler', 'Net', 'VoidFlag']);
});

test('header table columns only: the header-lines template is still suggested, its line fields unfilled', () => {
  const [best] = suggestTemplate(TICK_COLUMNS);
  assert.equal(best.template, 'commandseries-tick-tktl');
  assert.ok(best.unfilled.includes('lines.productCode') && best.unfilled.includes('lines.quantity.value'));
  assert.ok(!best.unfilled.includes('customer.name'));
});

test('column names match case-insensitively (PostgreSQL folds them); no columns means no fit', () => {
  assert.deepEqual(suggestTemplate(SCALE_COLUMNS.map((c) => c.toLowerCase()))[0], suggestTemplate(SCALE_COLUMNS)[0]);
  const none = suggestTemplate([]);
  assert.ok(none.every((s) => s.score === 0 && s.unfilled.length > 0));
});

test('suggestTemplate with sample counts: a layout that maps 0 samples never ranks above one that maps more', () => {
  const cols = ['tkt_code', 'order_date', 'cust_name', 'truck_code', 'plant_code', 'update_date', 'TicketNo', 'Customer'];
  const plain = suggestTemplate(cols);
  const mapped: Record<string, number> = Object.fromEntries(plain.map((s) => [s.template, 0]));
  const last = plain.at(-1)!.template;
  mapped[last] = 3;
  const ranked = suggestTemplate(cols, undefined, { mapped, samples: 5 });
  assert.equal(ranked[0].template, last);
  assert.deepEqual([ranked[0].mapped, ranked[0].samples], [3, 5]);
  assert.ok(ranked.slice(1).every((r) => r.mapped === 0));
});
