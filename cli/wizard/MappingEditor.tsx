// Step 8, the heart of the setup call: the mapping editor. Every eTicket field with its source, its
// value on the current sample and a mark per sample (✔ mapped · · empty · ✖ problem), required
// fields that fail first. Enter on a field opens what it can be set to — a column, a lookup through
// a foreign key discovery found, a constant, a transform (trim, unit, value map, default), unmapped,
// or back to the template — all chosen from lists, never typed as JSON; s opens the skip rules the
// same way. Every change re-maps all samples at once. "N of M samples map" is always on screen.
// The rows scroll so the editor fits 80×24.
import { useEffect, useRef, useState, type JSX } from 'react';
import { Box, Text, useInput } from 'ink';
import { Spinner } from '@inkjs/ui';
import { ENUMS } from '../../core/mapping/catalog.js';
import { listAllTemplates } from '../../core/mapping/files.js';
import type { Scalar, SkipRule, Transform } from '../../core/mapping/template.js';
import { CONVERTIBLE_UNITS } from '../../core/mapping/units.js';
import {
  addTransform,
  clearTransforms,
  describeExpression,
  describeSkipRule,
  distinctInputs,
  mappedCountText,
  resetField,
  setColumn,
  setConstant,
  setLookup,
  skipRule,
  unmap,
  type FieldRow,
  type MappingEval,
} from '../../core/setup/editor.js';
import type { LookupOption, SetupDraft, SetupServices } from '../../core/setup/services.js';
import { FieldForm } from './FieldForm.js';
import { Hint } from './Hint.js';
import { SelectList, type Item } from './SelectList.js';
import { errorText, formatCell, redact, truncate } from './format.js';
import { useEsc, type EscSlot } from './esc.js';

const MARK = { mapped: '✔', empty: '·', problem: '✖' } as const;
const MARK_COLOR = { mapped: 'green', empty: undefined, problem: 'red' } as const;

/** The panel open over the field list. */
type Panel =
  | { kind: 'none' }
  | { kind: 'actions'; path: string }
  | { kind: 'column'; path: string }
  | { kind: 'constant'; path: string }
  | { kind: 'transform'; path: string }
  | { kind: 'default'; path: string }
  | { kind: 'unitFrom'; path: string }
  | { kind: 'unitTo'; path: string; from: string }
  | { kind: 'valueMap'; path: string; inputs: string[]; done: Record<string, Scalar> }
  | { kind: 'template'; path: string }
  | { kind: 'lookup'; path: string }
  | { kind: 'lookupColumn'; path: string; option: LookupOption }
  | { kind: 'skip'; path: string }
  | { kind: 'skipColumn'; path: string }
  | { kind: 'skipTest'; path: string; column: string }
  | { kind: 'skipReason'; path: string; column: string; test: { equals: Scalar } | { empty: true } };

const UNIT_MAP = { LB: 'LBR', LBS: 'LBR', TN: 'STN', TON: 'STN', TONS: 'STN', T: 'TNE', MT: 'TNE', KG: 'KGM' };

export function MappingEditor(props: {
  services: SetupServices;
  draft: SetupDraft;
  rows: Record<string, unknown>[];
  esc?: EscSlot;
  /** Rows visible in the field list (the editor scrolls); fits 80×24 by default. */
  visible?: number;
  width?: number;
  onNext(summary: string, patch: Partial<SetupDraft>, model: MappingEval): void;
  /** Every edit, as it is made (the App keeps it in the draft so nothing is lost on a detour). */
  onFields?(fields: Record<string, unknown>, skip: SkipRule[]): void;
}): JSX.Element {
  const { draft, rows } = props;
  const visible = props.visible ?? 9;
  const width = props.width ?? 80;
  const [fields, setFields] = useState<Record<string, unknown>>(draft.fields ?? {});
  const [skip, setSkip] = useState<SkipRule[]>(draft.skip ?? []);
  const [template, setTemplate] = useState(draft.template);
  const [lookups, setLookups] = useState<LookupOption[]>([]);
  const [model, setModel] = useState<MappingEval | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [index, setIndex] = useState(0); // 0 = "Done" row, 1.. = fields
  const [sample, setSample] = useState(0);
  const [panel, setPanel] = useState<Panel>({ kind: 'none' });
  const first = useRef(true);

  useEsc(props.esc, () => {
    if (panel.kind === 'none') return false;
    setPanel({ kind: 'none' });
    return true;
  });

  useEffect(() => {
    let live = true;
    props.services.lookupOptions?.(draft).then(
      (l) => live && setLookups(l),
      () => {},
    );
    return () => {
      live = false;
    };
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    let live = true;
    const evaluate = props.services.evaluateMapping;
    if (!evaluate) {
      setError('This setup cannot edit mappings (no mapping service).');
      return;
    }
    evaluate({ ...draft, template, fields, skip }, rows).then(
      (m) => {
        if (!live) return;
        if (m.error) {
          setError(m.error);
          return;
        }
        setError(null);
        setModel(m);
        if (first.current) {
          first.current = false;
          // All map: "Done" is preselected (the demo is Enter-only); else the first failing field.
          setIndex(
            m.total > 0 && m.mapped === m.total
              ? 0
              : Math.max(
                  0,
                  m.fields.findIndex((f) => f.failing > 0),
                ) + 1,
          );
        }
      },
      (e: unknown) => live && setError(redact(errorText(e), [draft.token, draft.source.password])),
    );
    return () => {
      live = false;
    };
  }, [fields, skip, template]); // eslint-disable-line react-hooks/exhaustive-deps

  const count = model ? model.fields.length + 1 : 1;
  const current: FieldRow | undefined = model && index > 0 ? model.fields[index - 1] : undefined;
  const finish = () => {
    if (!model) return;
    props.onNext(
      `${mappedCountText(model)}${skip.length ? `; ${skip.length} skip rule${skip.length > 1 ? 's' : ''}` : ''}`,
      { fields, skip, template },
      model,
    );
  };

  useInput(
    (input, key) => {
      if (!model) return;
      if (key.upArrow) setIndex((i) => Math.max(0, i - 1));
      else if (key.downArrow) setIndex((i) => Math.min(count - 1, i + 1));
      else if (key.pageUp) setIndex((i) => Math.max(0, i - visible));
      else if (key.pageDown) setIndex((i) => Math.min(count - 1, i + visible));
      else if (key.leftArrow) setSample((s) => Math.max(0, s - 1));
      else if (key.rightArrow) setSample((s) => Math.min(Math.max(0, rows.length - 1), s + 1));
      else if (key.return) {
        if (index === 0) finish();
        else if (current) setPanel({ kind: 'actions', path: current.field.path });
      } else if (input === 'd' && !key.ctrl) finish();
      else if (input === 's' && !key.ctrl) setPanel({ kind: 'skip', path: '' });
      else if (input === 't' && !key.ctrl) setPanel({ kind: 'template', path: '' });
    },
    { isActive: panel.kind === 'none' },
  );

  const apply = (next: Record<string, unknown>) => {
    setFields(next);
    props.onFields?.(next, skip);
    setPanel({ kind: 'none' });
  };
  const applySkip = (next: SkipRule[]) => {
    setSkip(next);
    props.onFields?.(fields, next);
    setPanel({ kind: 'none' });
  };
  const tryApply = (f: () => Record<string, unknown>) => {
    try {
      apply(f());
    } catch (e) {
      setError(errorText(e));
      setPanel({ kind: 'none' });
    }
  };

  if (!model) {
    return error ? (
      <Box flexDirection="column">
        <Text color="red">{error}</Text>
        <Hint>Esc: back</Hint>
      </Box>
    ) : (
      <Spinner label="Mapping the samples…" />
    );
  }

  const s = Math.min(sample, Math.max(0, model.total - 1));
  const verdict = model.samples[s];
  const all = model.total > 0 && model.mapped === model.total;
  const countLine = (
    <Text wrap="truncate">
      <Text bold color={all ? 'green' : 'yellow'}>
        {mappedCountText(model)}
      </Text>
      <Text dimColor> ({model.template})</Text>
      {model.total > 0 ? (
        <Text>
          {' '}
          · sample {s + 1} of {model.total}: ticket <Text bold>{verdict?.ticketNumber ?? ''}</Text> {verdict?.ok ? '✔' : '✖'}
        </Text>
      ) : null}
    </Text>
  );

  if (panel.kind === 'template') {
    const names = listAllTemplates().map((x) => x.name);
    return (
      <Box flexDirection="column">
        {countLine}
        <Text bold>Start from which template? (the field edits stay)</Text>
        <Box key="template" flexDirection="column" marginTop={1}>
          <SelectList
            items={names.map((n) => ({ label: n, value: n, hint: n === model.template ? 'now' : '' }))}
            initial={Math.max(0, names.indexOf(model.template))}
            onSelect={(n) => {
              setTemplate(n);
              setPanel({ kind: 'none' });
            }}
          />
        </Box>
        <Hint>↑/↓: choose · Enter: pick · Esc: close</Hint>
      </Box>
    );
  }
  if (panel.kind === 'skip' || panel.kind === 'skipColumn' || panel.kind === 'skipTest' || panel.kind === 'skipReason') {
    return (
      <Box flexDirection="column">
        {countLine}
        <Text bold>Skip rules: rows they match are never sent (counted as skipped, with the reason)</Text>
        {/* key: each panel's list starts at its own top (React would otherwise keep the last list's highlight). */}
        <Box key={panel.kind} flexDirection="column" marginTop={1}>
          <SkipPanel panel={panel} rows={rows} sample={s} skip={skip} setPanel={setPanel} applySkip={applySkip} />
        </Box>
        {error ? <Text color="red">{error}</Text> : null}
        <Hint>↑/↓: choose · Enter: pick · Esc: close</Hint>
      </Box>
    );
  }
  if (panel.kind !== 'none') {
    const f = model.fields.find((x) => x.field.path === panel.path)!;
    return (
      <Box flexDirection="column">
        {countLine}
        <Text wrap="truncate">
          <Text bold>{f.field.label}</Text>
          {f.field.required ? ' (required)' : ''}: {describeExpression(f.field.expression)}
        </Text>
        <Box key={`${panel.kind}:${panel.kind === 'valueMap' ? Object.keys(panel.done).length : ''}`} flexDirection="column" marginTop={1}>
          <PanelView
            panel={panel}
            row={f}
            rows={rows}
            sample={s}
            draft={draft}
            fields={fields}
            lookups={lookups}
            setPanel={setPanel}
            tryApply={tryApply}
            width={width}
          />
        </Box>
        {error ? <Text color="red">{error}</Text> : null}
        <Hint>↑/↓: choose · Enter: pick · Esc: close</Hint>
      </Box>
    );
  }

  // The scrolling window of rows (row 0 is "Done").
  const start = Math.min(Math.max(0, index - Math.floor(visible / 2)), Math.max(0, count - visible));
  const labelW = 22;
  const marksW = Math.max(7, Math.min(model.total, 20));
  const rest = width - 2 - 2 - labelW - marksW - 3;
  const valueW = Math.max(8, Math.floor(rest * 0.42));
  const sourceW = Math.max(8, rest - valueW);
  const rowsShown: JSX.Element[] = [];
  for (let i = start; i < Math.min(count, start + visible); i++) {
    const on = i === index;
    if (i === 0) {
      rowsShown.push(
        <Text key="done" color={on ? 'cyan' : undefined} wrap="truncate">
          {on ? '› ' : '  '}
          {all ? '→ Done: every sample maps, continue' : `→ Done (${model.total - model.mapped} of ${model.total} samples do not map yet)`}
        </Text>,
      );
      continue;
    }
    const r = model.fields[i - 1];
    const cell = r.cells[s];
    const mark = cell ? MARK[cell.mark] : ' ';
    rowsShown.push(
      <Text key={r.field.path} color={on ? 'cyan' : undefined} wrap="truncate">
        {on ? '› ' : '  '}
        <Text color={cell ? MARK_COLOR[cell.mark] : undefined}>{mark}</Text>{' '}
        {truncate(`${r.field.label}${r.field.required ? '*' : ''}`, labelW - 2).padEnd(labelW - 2)}{' '}
        {truncate(describeExpression(r.field.expression), sourceW).padEnd(sourceW)} {truncate(cell?.value ?? '', valueW).padEnd(valueW)}{' '}
        {r.cells.slice(0, 20).map((c, j) => (
          <Text key={j} color={MARK_COLOR[c.mark]}>
            {MARK[c.mark]}
          </Text>
        ))}
      </Text>,
    );
  }
  const problem = current?.cells[s]?.problem || (index === 0 && verdict && !verdict.ok ? verdict.problems[0] : '');
  return (
    <Box flexDirection="column">
      {countLine}
      <Text dimColor wrap="truncate">
        {'    '}
        {'field (* required)'.padEnd(labelW - 1)}
        {'source'.padEnd(sourceW + 1)}
        {'this sample'.padEnd(valueW + 1)}
        {'samples'}
      </Text>
      {start > 0 ? <Text dimColor> ↑ {start} more</Text> : <Text> </Text>}
      {rowsShown}
      {start + visible < count ? <Text dimColor> ↓ {count - start - visible} more</Text> : <Text> </Text>}
      <Text color={problem ? 'yellow' : undefined} wrap="truncate">
        {problem ? `✖ ${problem}` : current ? `${current.field.label}: ${current.cells[s]?.mark ?? ''}` : ' '}
      </Text>
      {error ? (
        <Text color="red" wrap="truncate">
          {error}
        </Text>
      ) : null}
      <Hint>{`↑/↓: field · ←/→: sample · Enter: change · t: template · s: skip rules${skip.length ? ` (${skip.length})` : ''} · d: done`}</Hint>
    </Box>
  );
}

function SkipPanel(props: {
  panel: Extract<Panel, { kind: 'skip' | 'skipColumn' | 'skipTest' | 'skipReason' }>;
  rows: Record<string, unknown>[];
  sample: number;
  skip: SkipRule[];
  setPanel(p: Panel): void;
  applySkip(next: SkipRule[]): void;
}): JSX.Element {
  const { panel, rows, skip, setPanel, applySkip } = props;
  const columns = Object.keys(rows[0] ?? {}).filter((c) => !c.startsWith('__'));
  switch (panel.kind) {
    case 'skip':
      return (
        <SelectList
          items={[{ label: 'Add a rule', value: -1 }, ...skip.map((r, i) => ({ label: `Remove: ${describeSkipRule(r)}`, value: i }))]}
          onSelect={(i) => (i < 0 ? setPanel({ kind: 'skipColumn', path: '' }) : applySkip(skip.filter((_, j) => j !== i)))}
        />
      );
    case 'skipColumn':
      return (
        <Box flexDirection="column">
          <Text>Skip rows by which column?</Text>
          <SelectList
            items={columns.map((c) => ({ label: c, value: c, hint: formatCell(rows[props.sample]?.[c], 30) }))}
            onSelect={(column) => setPanel({ kind: 'skipTest', path: '', column })}
          />
        </Box>
      );
    case 'skipTest': {
      const values = [
        ...new Set(
          rows
            .map((r) => r[panel.column])
            .filter((v) => v !== null && v !== undefined && String(v).trim() !== '')
            .map((v) => String(v).trim()),
        ),
      ];
      return (
        <Box flexDirection="column">
          <Text>Skip the row when {panel.column}…</Text>
          <SelectList
            items={[
              ...values.map((v) => ({
                label: `is ${JSON.stringify(v)}`,
                value: { equals: v as Scalar } as { equals: Scalar } | { empty: true },
              })),
              { label: 'is empty', value: { empty: true } as { equals: Scalar } | { empty: true } },
            ]}
            onSelect={(test) => setPanel({ kind: 'skipReason', path: '', column: panel.column, test })}
          />
        </Box>
      );
    }
    case 'skipReason': {
      const what = 'equals' in panel.test ? `${panel.column} is ${JSON.stringify(panel.test.equals)}` : `${panel.column} is empty`;
      return (
        <FieldForm
          isActive
          fields={[{ id: 'reason', label: 'Reason shown', value: what }]}
          onSubmit={(v) => applySkip([...skip, skipRule(panel.column, panel.test, v.reason.trim() || what)])}
        />
      );
    }
  }
}

function PanelView(props: {
  panel: Exclude<Panel, { kind: 'none' | 'template' | 'skip' | 'skipColumn' | 'skipTest' | 'skipReason' }>;
  lookups: LookupOption[];
  row: FieldRow;
  rows: Record<string, unknown>[];
  sample: number;
  draft: SetupDraft;
  fields: Record<string, unknown>;
  setPanel(p: Panel): void;
  tryApply(f: () => Record<string, unknown>): void;
  width: number;
}): JSX.Element {
  const { panel, row, rows, sample, fields, setPanel, tryApply } = props;
  const path = panel.path;
  const base = row.field.expression;
  const line = path.startsWith('lines.');
  const columns = Object.keys(rows[0] ?? {}).filter((c) => c !== '__lines');
  const cur = rows[sample] ?? {};
  const enumValues = ENUMS[row.field.type];

  switch (panel.kind) {
    case 'actions': {
      const items: Item<string>[] = [
        { label: 'Take it from a column', value: 'column' },
        ...(props.lookups.length
          ? [{ label: 'Look it up in another table (a foreign key)', value: 'lookup', hint: props.lookups.map((l) => l.table).join(', ') }]
          : []),
        { label: 'A fixed value (constant)', value: 'constant' },
      ];
      if (base) items.push({ label: 'Add a transform (trim, unit, value map, default)', value: 'transform' });
      if (base?.then?.length) items.push({ label: 'Remove the transforms', value: 'clear' });
      if (!row.field.required && base) items.push({ label: 'Not mapped (leave it out)', value: 'unmap' });
      if (path in fields) items.push({ label: "Back to the template's mapping", value: 'reset' });
      return (
        <SelectList
          items={items}
          onSelect={(v) => {
            if (v === 'column') setPanel({ kind: 'column', path });
            else if (v === 'lookup') setPanel({ kind: 'lookup', path });
            else if (v === 'constant') setPanel({ kind: 'constant', path });
            else if (v === 'transform') setPanel({ kind: 'transform', path });
            else if (v === 'clear') tryApply(() => clearTransforms(fields, path, base));
            else if (v === 'unmap') tryApply(() => unmap(fields, path));
            else tryApply(() => resetField(fields, path));
          }}
        />
      );
    }
    case 'lookup':
      return (
        <Box flexDirection="column">
          <Text>Through which foreign key?</Text>
          <SelectList
            items={props.lookups.map((o) => ({ label: o.label, value: o }))}
            onSelect={(option) => setPanel({ kind: 'lookupColumn', path, option })}
          />
        </Box>
      );
    case 'lookupColumn':
      return (
        <Box flexDirection="column">
          <Text>Which column of {panel.option.table}?</Text>
          <SelectList
            items={panel.option.columns.map((c) => ({ label: c, value: c }))}
            onSelect={(column) =>
              tryApply(() =>
                setLookup(fields, path, {
                  table: panel.option.table,
                  on: Object.fromEntries(Object.entries(panel.option.on).map(([ref, mine]) => [ref, { column: mine }])),
                  column,
                }),
              )
            }
          />
        </Box>
      );
    case 'column':
      return (
        <Box flexDirection="column">
          <Text>Which column? (its value on this sample after the name)</Text>
          <SelectList
            items={columns.map((c) => ({ label: c, value: c, hint: formatCell(cur[c], 30) }))}
            initial={Math.max(
              0,
              columns.findIndex((c) => base && 'column' in base && base.column === c),
            )}
            onSelect={(c) => tryApply(() => setColumn(fields, path, c, base))}
          />
        </Box>
      );
    case 'constant':
      if (enumValues) {
        return (
          <Box flexDirection="column">
            <Text>Which value?</Text>
            <SelectList
              items={enumValues.map((v) => ({ label: v, value: v }))}
              onSelect={(v) => tryApply(() => setConstant(fields, path, v))}
            />
          </Box>
        );
      }
      return (
        <FieldForm
          isActive
          fields={[{ id: 'value', label: 'Value', value: base && 'const' in base && base.const !== null ? String(base.const) : '' }]}
          onSubmit={(v) => {
            const text = v.value.trim();
            const isNum = (row.field.type === 'number' || row.field.type === 'integer') && text !== '' && Number.isFinite(Number(text));
            tryApply(() => setConstant(fields, path, isNum ? Number(text) : text));
          }}
        />
      );
    case 'transform': {
      const items: Item<string>[] = [
        { label: 'Trim spaces', value: 'trim' },
        { label: 'Convert a unit (e.g. pounds to tons)', value: 'unit' },
        { label: 'Map values (e.g. Y → voided)', value: 'map' },
        { label: 'A default when empty', value: 'default' },
      ];
      return (
        <SelectList
          items={items}
          onSelect={(v) => {
            if (v === 'trim') tryApply(() => addTransform(fields, path, 'trim', base));
            else if (v === 'unit') setPanel({ kind: 'unitFrom', path });
            else if (v === 'default') setPanel({ kind: 'default', path });
            else {
              const inputs = distinctInputs(base, rows, line, props.draft.timezone);
              if (inputs.length === 0) tryApply(() => fields);
              else setPanel({ kind: 'valueMap', path, inputs, done: {} });
            }
          }}
        />
      );
    }
    case 'default':
      if (enumValues) {
        return (
          <Box flexDirection="column">
            <Text>When empty, use:</Text>
            <SelectList
              items={enumValues.map((v) => ({ label: v, value: v }))}
              onSelect={(v) => tryApply(() => addTransform(fields, path, { default: v }, base))}
            />
          </Box>
        );
      }
      return (
        <FieldForm
          isActive
          fields={[{ id: 'value', label: 'When empty, use', value: '' }]}
          onSubmit={(v) => tryApply(() => addTransform(fields, path, { default: v.value.trim() }, base))}
        />
      );
    case 'unitFrom': {
      const items: Item<string>[] = [
        ...columns.map((c) => ({ label: `column ${c}`, value: `col:${c}`, hint: formatCell(cur[c], 20) })),
        ...['LBR', 'STN', 'TNE', 'KGM'].map((u) => ({
          label: `always ${u}`,
          value: `unit:${u}`,
          hint: { LBR: 'pounds', STN: 'US tons', TNE: 'metric tonnes', KGM: 'kilograms' }[u],
        })),
      ];
      return (
        <Box flexDirection="column">
          <Text>The value is in which unit? (a unit column, or always the same unit)</Text>
          <SelectList items={items} onSelect={(v) => setPanel({ kind: 'unitTo', path, from: v })} />
        </Box>
      );
    }
    case 'unitTo':
      return (
        <Box flexDirection="column">
          <Text>Send it in which unit?</Text>
          <SelectList
            items={CONVERTIBLE_UNITS.map((u) => ({ label: u, value: u }))}
            initial={1}
            onSelect={(to) => {
              const from = panel.from.startsWith('col:') ? { column: panel.from.slice(4) } : panel.from.slice(5);
              const t: Transform = { convertUnit: { from, to, ...(typeof from === 'string' ? {} : { unitMap: UNIT_MAP }) } };
              const needsNumber = !(base?.then ?? []).some((x) => typeof x === 'object' && 'number' in x);
              tryApply(() => {
                const withNumber = needsNumber ? addTransform(fields, path, { number: {} }, base) : fields;
                const e = withNumber[path] as typeof base;
                return addTransform(withNumber, path, t, e ?? base);
              });
            }}
          />
        </Box>
      );
    case 'valueMap': {
      const input = panel.inputs.find((i) => !(i in panel.done));
      const finish = (done: Record<string, Scalar>) =>
        tryApply(() => addTransform(fields, path, { map: done, caseInsensitive: true }, base));
      if (input === undefined) return <Text dimColor>Every value is mapped.</Text>;
      const pick = (v: Scalar) => {
        const done = { ...panel.done, [input]: v };
        if (panel.inputs.every((i) => i in done)) finish(done);
        else setPanel({ ...panel, done });
      };
      const n = Object.keys(panel.done).length + 1;
      return (
        <Box flexDirection="column">
          <Text>
            Value {n} of {panel.inputs.length} on the samples: <Text bold>{JSON.stringify(input)}</Text> becomes
          </Text>
          {enumValues ? (
            <SelectList key={input} items={enumValues.map((v) => ({ label: v, value: v }))} onSelect={(v) => pick(v)} />
          ) : (
            <FieldForm
              key={input}
              isActive
              fields={[{ id: 'value', label: 'Becomes', value: input }]}
              onSubmit={(v) => pick(v.value.trim())}
            />
          )}
        </Box>
      );
    }
  }
}
