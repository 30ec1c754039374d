// createMapper: template (+ the profile's field overrides) → compiled closures → map(row) gives a
// validated eTicket v1 or the plain reasons the row is filtered. map() never throws.
// Layout header-lines: the row is a header row carrying its line rows under LINES_PROPERTY
// (attachLines in lines.ts); each line row becomes one eTicket line.
import { z } from 'zod';
import { ETICKET_SCHEMA_VERSION, eticketSchema, type ETicket } from './eticket.js';
import { ENUMS, LINE_FIELDS, TICKET_FIELDS, type FieldSpec, type LeafSpec, type LeafType } from './catalog.js';
import { compileExpression, TemplateError, type CompileEnv, type Compiled, type Row, type SourceRef } from './compile.js';
import { compileCondition, type CompiledCondition } from './conditions.js';
import { LookupRegistry, type LookupStep } from './lookups.js';
import { LINES_PROPERTY } from './lines.js';
import { applyOverrides, isPlainObject } from './overrides.js';
import { canonicalTicket, type CanonicalTicket } from './revision.js';
import {
  describeIssues,
  formatPath,
  parseTemplate,
  skipRulesSchema,
  type Expression,
  type SkipRule,
  type Template,
  type TemplateGroup,
} from './template.js';
import { TimeZone, Zoned, toZoned } from './time.js';
import { loadTemplateRef } from './files.js';
import { Fail, cleanText, show, toNumber, toText } from './values.js';

export interface MapContext {
  ticketId: string;
  recordKey: string;
  table: string;
  recordModifiedAt?: string;
}

export type MapResult =
  /**
   * `canonical`: the ticket serialised once — the bytes its revision hashes, from which the body
   * sent is built (ticketJson in revision.ts) without serialising it again.
   */
  | { ok: true; ticket: ETicket; canonical: CanonicalTicket }
  /**
   * One plain sentence per field, e.g. "net weight is empty", "ticket date 2026-13-01 is not a date".
   * `skipped`: a skip rule of the template or profile matched (e.g. "status is not GXT"): the row is
   * not meant to be sent at all, and `problems` holds the rule's reason. Counted apart from filtered.
   */
  | { ok: false; problems: string[]; skipped?: boolean };

export interface Mapper {
  readonly templateName: string;
  /**
   * The template as compiled (the profile's overrides applied). Pass it to attachLines: for a
   * header-lines template the rows given to map() must carry their lines.
   */
  readonly template: Template;
  /**
   * The lookups the template reads, resolved per page by prepareRows (core/mapping/lookups.ts)
   * before map(): rows given to map() must have gone through prepareRows when this is not empty.
   */
  readonly lookups: readonly LookupStep[];
  map(row: Record<string, unknown>, ctx: MapContext): MapResult;
  /**
   * Which eTicket field paths come from which source columns, for the review UI. Paths are dotted
   * with line indexes ("plant.name", "lines.0.quantity.value"); values name the columns ("Net, UOM")
   * or "(constant)". For a header-lines template, "lines.0.…" stands for every line (the columns of
   * the line rows).
   */
  sources(): Record<string, string>;
  /** The same, with a reader of each source's raw value in a prepared row (the looked-up value for a lookup). */
  sourceRefs(): Record<string, SourceRef[]>;
}

export interface MapperOptions {
  /**
   * A template name (a site template in <home>/templates/, else a shipped one in templates/mappings),
   * a path to a template file ("./site.json", absolute or relative to `home`), or a template object.
   */
  template: string | Template;
  /** Per-profile overrides (config mapping.fields): eTicket field path → expression, or null to unmap an optional field. */
  fields?: Record<string, unknown>;
  /** Per-profile row rules (config mapping.skip), checked after the template's own. */
  skip?: unknown;
  /** The Outpost home (site templates in <home>/templates/); default OUTPOST_HOME / the platform folder. */
  home?: string;
  /** IANA zone of the plant's local times, e.g. America/Chicago. */
  timezone: string;
  /** Scale-house software vendor for source.vendor (default: the template's vendor). */
  vendor?: string;
}

/** Longest text Outpost sends in one field; longer values are refused, not cut. */
export const MAX_TEXT = 4000;

// ---------------------------------------------------------------------------------------------
// Plans: the compiled form of the template.

type Finish = (raw: unknown) => unknown; // → value | undefined (empty) | Fail

interface LeafPlan {
  kind: 'leaf';
  key: string;
  label: string;
  required: boolean;
  run: Compiled['run'];
  finish: Finish;
  column?: string;
  convertTo?: string;
}
interface GroupPlan {
  kind: 'group';
  key: string;
  required: boolean;
  primary: LeafPlan | undefined;
  leaves: LeafPlan[];
}
type NodePlan = LeafPlan | GroupPlan;

function enumFinish(type: LeafType): Finish {
  const values = ENUMS[type]!;
  const byKey = new Map(values.map((v) => [v.toLowerCase(), v]));
  const exact = new Set(values);
  const listed = values.length === 2 ? values.join(' or ') : `one of ${values.join(', ')}`;
  return (raw) => {
    if (raw instanceof Fail) return raw;
    const t = toText(raw);
    if (t === null || t instanceof Fail) return t ?? undefined;
    const c = cleanText(t);
    if (c === '') return undefined;
    // The value as the catalog spells it (what maps and constants give) needs no lower-casing.
    return exact.has(c) ? c : (byKey.get(c.toLowerCase()) ?? new Fail(`${show(raw)} is not ${listed}`));
  };
}

function finisher(type: LeafType, zone: TimeZone): Finish {
  switch (type) {
    case 'text':
      return (raw) => {
        if (raw instanceof Fail) return raw;
        const t = toText(raw);
        if (t === null || t instanceof Fail) return t ?? undefined;
        if (t.length > MAX_TEXT * 4) return new Fail(`is longer than ${MAX_TEXT} characters`);
        const c = cleanText(t);
        if (c === '') return undefined;
        return c.length > MAX_TEXT ? new Fail(`is longer than ${MAX_TEXT} characters`) : c;
      };
    case 'number':
      return (raw) => toNumber(raw) ?? undefined;
    case 'integer':
      return (raw) => {
        const n = toNumber(raw);
        if (n === null || n instanceof Fail) return n ?? undefined;
        return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : new Fail(`${show(raw)} is not a whole number from 1`);
      };
    case 'datetime':
      return (raw) => toZoned(raw, zone) ?? undefined;
    default:
      return enumFinish(type);
  }
}

interface BuildEnv {
  zone: TimeZone;
  lookups: LookupRegistry;
  scope: CompileEnv['scope'];
  refs: Record<string, SourceRef[]>;
  /** Template JSON path → where to say a mistake is ("templates/mappings/x.json: ticket.plant.name"). */
  whereOf: (path: string) => string;
  sources: Record<string, string>;
}

const describeColumns = (c: Compiled) => (c.columns.length ? c.columns.join(', ') : '(constant)');

function leafPlan(spec: LeafSpec, expr: Expression, path: string, outPath: string, env: BuildEnv, label?: string): LeafPlan {
  const c = compileExpression(expr, env.whereOf(path), { zone: env.zone, lookups: env.lookups, scope: env.scope });
  checkOutputs(spec, c, env.whereOf(path));
  env.sources[outPath] = describeColumns(c);
  env.refs[outPath] = c.refs;
  return {
    kind: 'leaf',
    key: spec.key,
    label: c.label ?? label ?? spec.label,
    required: spec.required,
    run: c.run,
    finish: finisher(spec.type, env.zone),
    column: c.column,
    convertTo: c.convertTo,
  };
}

/** A const/map/prefixMap whose possible outputs are known must only produce values the field accepts. */
function checkOutputs(spec: LeafSpec, c: Compiled, where: string): void {
  const allowed = ENUMS[spec.type];
  if (!allowed || !c.outputs) return;
  for (const v of c.outputs) {
    if (v === null || (typeof v === 'string' && v.trim() === '')) continue;
    if (typeof v !== 'string' || !allowed.some((a) => a.toLowerCase() === v.trim().toLowerCase())) {
      throw new TemplateError(`${where}: ${JSON.stringify(v)} is not a ${spec.label} Outpost knows (${allowed.join(', ')})`);
    }
  }
}

function planNodes(fields: readonly FieldSpec[], shape: Record<string, unknown>, path: string, outPath: string, env: BuildEnv): NodePlan[] {
  const plans: NodePlan[] = [];
  for (const f of fields) {
    const node = shape[f.key];
    if (f.kind === 'leaf') {
      if (node === undefined) continue; // unmapped optional (the schema insists on required ones)
      plans.push(leafPlan(f, node as Expression, path + f.key, outPath + f.key, env));
      continue;
    }
    if (node === undefined) continue;
    const group = node as TemplateGroup;
    const leaves: LeafPlan[] = [];
    let valueCompiled: LeafPlan | undefined;
    for (const l of f.leaves) {
      const lp = `${path}${f.key}.${l.key}`;
      const op = `${outPath}${f.key}.${l.key}`;
      let e = group[l.key];
      let label: string | undefined;
      if (f.quantity && l.key === 'unit') {
        const convertTo = valueCompiled?.convertTo;
        if (valueCompiled && group.value?.label) label = `${valueCompiled.label} unit`;
        if (e === undefined) {
          if (!convertTo) {
            throw new TemplateError(`${env.whereOf(lp)} is required (or end ${f.key}.value with a convertUnit transform)`);
          }
          e = { const: convertTo };
        } else if (convertTo && 'const' in e && typeof e.const === 'string' && e.const.trim().toUpperCase() !== convertTo) {
          throw new TemplateError(`${env.whereOf(lp)} is ${JSON.stringify(e.const)} but ${f.key}.value is converted to ${convertTo}`);
        }
      }
      if (e === undefined) {
        if (l.required && f.required) throw new TemplateError(`${env.whereOf(lp)} is required`);
        continue;
      }
      const plan = leafPlan(l, e, lp, op, env, label);
      if (l.key === 'value') valueCompiled = plan;
      leaves.push(plan);
    }
    const primary = leaves.find((l) => l.key === f.primary);
    if (!primary) throw new TemplateError(`${env.whereOf(`${path}${f.key}.${f.primary}`)} is required when ${f.key} is mapped`);
    plans.push({ kind: 'group', key: f.key, required: f.required, primary, leaves });
  }
  return plans;
}

// ---------------------------------------------------------------------------------------------

export function createMapper(opts: MapperOptions): Mapper {
  if (!isPlainObject(opts)) throw new Error('createMapper needs options {template, timezone}');
  const zone = new TimeZone(opts.timezone);
  let where: string;
  let template: Template;
  if (typeof opts.template === 'string') {
    const loaded = loadTemplateRef(opts.template, opts.home);
    template = loaded.template;
    where = loaded.shown;
  } else {
    const name = isPlainObject(opts.template) && typeof opts.template.name === 'string' ? opts.template.name : '(unnamed)';
    where = `mapping template "${name}"`;
    template = parseTemplate(opts.template, where);
  }
  if (opts.fields !== undefined && !isPlainObject(opts.fields))
    throw new Error('mapping.fields must be an object of field path → expression');
  const origins = new Map<string, string>();
  template = applyOverrides(template, opts.fields ?? {}, origins);
  const vendorRaw = opts.vendor ?? template.vendor;
  const vendor = typeof vendorRaw === 'string' && vendorRaw.trim() ? vendorRaw.trim() : undefined;

  let profileSkip: SkipRule[] = [];
  if (opts.skip !== undefined) {
    const r = skipRulesSchema.safeParse(opts.skip);
    if (!r.success) throw new Error(describeIssues('mapping.skip', r.error, opts.skip));
    profileSkip = r.data;
  }
  const sources: Record<string, string> = {};
  const refs: Record<string, SourceRef[]> = {};
  const lookups = new LookupRegistry();
  const env: BuildEnv = {
    zone,
    sources,
    refs,
    lookups,
    scope: 'ticket',
    whereOf: (path) => {
      for (const [p, at] of origins) if (path === p || path.startsWith(`${p}.`)) return at + path.slice(p.length);
      return `${where}: ${path}`;
    },
  };
  try {
    const skipEnv: CompileEnv = { zone, lookups, scope: 'ticket' };
    const skip: SkipPlan[] = [
      ...(template.skip ?? []).map((r, i) => skipPlan(r, `${where}: skip[${i}]`, skipEnv)),
      ...profileSkip.map((r, i) => skipPlan(r, `mapping.skip[${i}]`, skipEnv)),
    ];
    const ticketPlan = planNodes(TICKET_FIELDS, template.ticket, 'ticket.', '', env);
    if (sources.issuedAt) sources.issuedAtLocal = sources.issuedAt;
    const trailers = (template.ticket.trailers as { id: Expression }[] | undefined)?.map((tr, i) =>
      leafPlan(
        { kind: 'leaf', key: 'id', type: 'text', label: 'trailer', required: false, doc: '' },
        tr.id,
        `ticket.trailers[${i}].id`,
        `trailers.${i}.id`,
        env,
      ),
    );
    const lineRows =
      template.layout === 'header-lines' && template.linesSource
        ? { table: template.linesSource.table, key: template.linesSource.key }
        : null;
    const lineEnv: BuildEnv = { ...env, scope: lineRows ? 'line' : 'ticket' };
    const linePlans = template.lines.map((line, i) => planNodes(LINE_FIELDS, line, `lines[${i}].`, `lines.${i}.`, lineEnv));
    if (profileSkip.length) template = { ...template, skip: [...(template.skip ?? []), ...profileSkip] };
    return new CompiledMapper(template, zone, vendor, ticketPlan, trailers ?? [], linePlans, sources, lineRows, skip, lookups.steps, refs);
  } catch (e) {
    if (e instanceof TemplateError) throw new Error(e.message, { cause: e });
    throw e;
  }
}

interface SkipPlan {
  test: CompiledCondition;
  /** `unless` rules skip when the condition does NOT hold. */
  when: boolean;
  reason?: string;
}

function skipPlan(rule: SkipRule, where: string, env: CompileEnv): SkipPlan {
  const unless = 'unless' in rule;
  const test = compileCondition(unless ? rule.unless : rule.if, `${where}.${unless ? 'unless' : 'if'}`, env);
  return { test, when: !unless, reason: rule.reason };
}

/** The reasons a row is filtered: one sentence per field label (the net weight feeds two fields, say it once). */
class Problems {
  /** Sentences kept; a ticket with hundreds of bad lines says the first MAX_PROBLEMS and how many more. */
  static readonly MAX = 20;
  private kept?: string[];
  private count = 0;
  private labels?: Set<string>;
  add(label: string, sentence: string): void {
    this.labels ??= new Set();
    if (this.labels.has(label)) return;
    this.labels.add(label);
    this.count++;
    this.kept ??= [];
    if (this.kept.length < Problems.MAX) this.kept.push(sentence);
  }
  get size(): number {
    return this.count;
  }
  get list(): string[] {
    const kept = this.kept ?? [];
    const more = this.count - kept.length;
    return more > 0 ? [...kept, `and ${more} more problem${more === 1 ? '' : 's'}`] : kept;
  }
}

/** Evaluates a leaf: the value, or undefined when empty; records a problem when it must. */
function evalLeaf(leaf: LeafPlan, row: Row, problems: Problems, prefix: string, required: boolean): unknown {
  const v = leaf.finish(leaf.run(row));
  if (v instanceof Fail || (v === undefined && required)) return leafProblem(leaf, v, row, problems, prefix);
  return v;
}

/** A leaf's value is a Fail, or empty where required: records the problem; the leaf has no value. */
function leafProblem(leaf: LeafPlan, v: unknown, row: Row, problems: Problems, prefix: string): undefined {
  if (v instanceof Fail) problems.add(prefix + leaf.label + (v.about ? ` ${v.about}` : ''), `${prefix}${leaf.label} ${v.reason}`);
  else problems.add(prefix + leaf.label, `${prefix}${leaf.label} is empty${missingColumnHint(leaf, row)}`);
  return undefined;
}

function missingColumnHint(leaf: LeafPlan, row: Row): string {
  if (!leaf.column) return '';
  const lower = leaf.column.toLowerCase();
  for (const k in row) if (k.toLowerCase() === lower) return '';
  return ` (the row has no column ${leaf.column})`;
}

/** Evaluates a list of plans into `out`: the ticket's (or a line's) members, problems recorded. */
type NodesEval = (row: Row, out: Record<string, unknown>, problems: Problems, prefix: string) => void;

/**
 * Generates the evaluator of a plan list once per mapper: the loop over plans unrolled, so each
 * leaf's run/finish is called from a call site of its own (which V8 can inline) and each member is
 * stored under a constant key (a named store, not a keyed store whose key changes every call).
 * The order of evaluation, problems and members is that of the loop it replaces:
 *   for each plan: a leaf → its value if any; an optional group → its primary leaf first, and no
 *   object when that is empty without a problem; a group → an object of its leaves' values, kept
 *   when every required leaf has one.
 * Only catalog keys (quoted by JSON.stringify) and booleans reach the generated source.
 */
function compileNodes(nodes: readonly NodePlan[]): NodesEval {
  const leaves: LeafPlan[] = [];
  /** Code leaving leaf `l`'s value (or undefined) in v, like evalLeaf(l, …, required). */
  const leaf = (l: LeafPlan, required: boolean): string => {
    const L = `L${leaves.push(l) - 1}`;
    const bad = required ? 'v instanceof Fail || v === undefined' : 'v instanceof Fail';
    return `v = ${L}.finish(${L}.run(row));\nif (${bad}) v = leafProblem(${L}, v, row, problems, prefix);\n`;
  };
  let code = 'let v, pv, before, o, ok;\n';
  for (const n of nodes) {
    if (n.kind === 'leaf') {
      code += `${leaf(n, n.required)}if (v !== undefined) out[${JSON.stringify(n.key)}] = v;\n`;
      continue;
    }
    const optional = !n.required && n.primary !== undefined;
    let group = 'o = {};\nok = true;\n';
    for (const l of n.leaves) {
      group += optional && l === n.primary ? 'v = pv;\n' : leaf(l, l.required);
      group += l.required ? `if (v === undefined) ok = false;\nelse ` : 'if (v !== undefined) ';
      group += `o[${JSON.stringify(l.key)}] = v;\n`;
    }
    group += `if (ok) out[${JSON.stringify(n.key)}] = o;\n`;
    if (optional) {
      // An optional object: nothing to say when its primary leaf is empty without a problem.
      code += `before = problems.size;\n${leaf(n.primary!, false)}pv = v;\n`;
      code += `if (pv !== undefined || problems.size !== before) {\n${group}}\n`;
    } else code += group;
  }
  const names = leaves.map((_, i) => `L${i}`);
  const factory = new Function('Fail', 'leafProblem', ...names, `return function evalNodes(row, out, problems, prefix) {\n${code}};`) as (
    ...args: unknown[]
  ) => NodesEval;
  return factory(Fail, leafProblem, ...leaves);
}

/** A line row seen with its header behind it: columns the line row lacks are read from the header. */
function lineView(line: Row, header: Row): Row {
  return Object.assign(Object.create(header) as Row, line);
}

/** "line 2 (tkt_line_num 20) ": names a line of a header-lines ticket in problems. */
function linePrefix(i: number, line: Row, key: readonly string[]): string {
  const parts: string[] = [];
  for (const k of key) {
    let v: unknown = line[k];
    if (v === undefined) {
      const lower = k.toLowerCase();
      for (const c of Object.keys(line)) if (c.toLowerCase() === lower) v = line[c];
    }
    if (v !== undefined && v !== null && (typeof v !== 'string' || v.trim() !== '')) parts.push(`${k} ${show(v)}`);
  }
  return `line ${i + 1}${parts.length ? ` (${parts.join(', ')})` : ''} `;
}

class CompiledMapper implements Mapper {
  readonly templateName: string;
  private readonly ticketEval: NodesEval;
  private readonly lineEvals: NodesEval[];
  constructor(
    readonly template: Template,
    private readonly zone: TimeZone,
    private readonly vendor: string | undefined,
    ticketPlan: NodePlan[],
    private readonly trailers: LeafPlan[],
    private readonly lines: NodePlan[][],
    private readonly sourceMap: Record<string, string>,
    /** header-lines: where the line rows come from (named in problems); null for single-table. */
    private readonly lineRows: { table: string; key: string[] } | null,
    private readonly skip: SkipPlan[],
    readonly lookups: readonly LookupStep[],
    private readonly refMap: Record<string, SourceRef[]>,
  ) {
    this.templateName = template.name;
    this.ticketEval = compileNodes(ticketPlan);
    this.lineEvals = lines.map(compileNodes);
  }

  sources(): Record<string, string> {
    return { ...this.sourceMap };
  }

  sourceRefs(): Record<string, SourceRef[]> {
    return { ...this.refMap };
  }

  /** The first skip rule that matches: its reason; a rule that cannot be evaluated filters the row. */
  private skipped(row: Row): MapResult | null {
    for (const s of this.skip) {
      const r = s.test.run(row);
      if (r instanceof Fail) return { ok: false, problems: [`skip rule: ${r.reason}`] };
      if (r === s.when) return { ok: false, problems: [s.reason ?? `skipped: ${s.test.describe(row, !s.when)}`], skipped: true };
    }
    return null;
  }

  map(row: Record<string, unknown>, ctx: MapContext): MapResult {
    try {
      return this.mapRow(row, ctx);
    } catch (e) {
      // Nothing above should throw; if something does (a hostile getter on the row), filter the row.
      return { ok: false, problems: [`this row could not be mapped: ${show(e instanceof Error ? e.message : e)}`] };
    }
  }

  /** header-lines: one eTicket line per line row under LINES_PROPERTY, with the header behind it. */
  private mapLineRows(row: Row, lines: Record<string, unknown>[], problems: Problems): void {
    const { table, key } = this.lineRows!;
    const lineRows = row[LINES_PROPERTY];
    if (!Array.isArray(lineRows)) {
      problems.add('lines', `the ticket's lines were not read from ${table}`);
      return;
    }
    if (lineRows.length === 0) {
      problems.add('lines', `the ticket has no lines in ${table}`);
      return;
    }
    const plan = this.lines[0];
    const autoNumber = !plan.some((n) => n.key === 'lineNumber');
    for (let i = 0; i < lineRows.length; i++) {
      const lr: unknown = lineRows[i];
      if (lr === null || typeof lr !== 'object' || Array.isArray(lr)) {
        problems.add(`line ${i + 1}`, `line ${i + 1} is not a record`);
        continue;
      }
      const line: Record<string, unknown> = autoNumber ? { lineNumber: i + 1 } : {};
      this.lineEvals[0](lineView(lr as Row, row), line, problems, linePrefix(i, lr as Row, key));
      lines.push(line);
    }
  }

  private mapRow(row: Row, ctx: MapContext): MapResult {
    if (row === null || typeof row !== 'object') return { ok: false, problems: ['the row is not a record'] };
    if (this.skip.length) {
      const s = this.skipped(row);
      if (s) return s;
    }
    const problems = new Problems();
    if (!ctx || typeof ctx.ticketId !== 'string' || ctx.ticketId === '') problems.add('ticket id', 'ticket id is empty');
    const main: Record<string, unknown> = {};
    this.ticketEval(row, main, problems, '');
    let trailers: { id: unknown }[] | undefined;
    for (const tr of this.trailers) {
      const id = evalLeaf(tr, row, problems, '', false);
      if (id !== undefined) (trailers ??= []).push({ id });
    }
    const lines: Record<string, unknown>[] = [];
    if (this.lineRows) this.mapLineRows(row, lines, problems);
    const many = this.lines.length > 1;
    for (let i = 0; !this.lineRows && i < this.lines.length; i++) {
      const plan = this.lines[i];
      // Auto line numbers go first so the line's keys stay in eTicket order (lineNumber leads).
      const line: Record<string, unknown> = plan.some((n) => n.key === 'lineNumber') ? {} : { lineNumber: i + 1 };
      this.lineEvals[i](row, line, problems, many ? `line ${i + 1} ` : '');
      lines.push(line);
    }
    if (problems.size) return { ok: false, problems: problems.list };
    if (lines.length === 0) return { ok: false, problems: ['the ticket has no lines'] };

    // Every required value is present past this point. Objects are built with only defined members
    // (never `delete`, which would slow every later read of the object).
    const status = (main.status as string | undefined) ?? 'issued';
    const at = main.issuedAt as Zoned;
    const t: Record<string, unknown> = { schemaVersion: ETICKET_SCHEMA_VERSION, ticketId: ctx.ticketId, revision: '', status };
    if (status === 'voided' && main.voidReason !== undefined) t.voidReason = main.voidReason;
    t.ticketNumber = main.ticketNumber;
    t.issuedAt = at.text;
    t.issuedAtLocal = at.local;
    t.plantTimeZone = this.zone.name;
    t.plant = main.plant;
    t.supplier = main.supplier;
    t.customer = main.customer;
    t.truck = main.truck;
    if (trailers) t.trailers = trailers;
    t.lines = lines;
    appendTail(main, t);
    const source: Record<string, unknown> = this.vendor
      ? { vendor: this.vendor, table: String(ctx.table ?? ''), recordKey: String(ctx.recordKey ?? '') }
      : { table: String(ctx.table ?? ''), recordKey: String(ctx.recordKey ?? '') };
    t.source = source;
    // The revision ignores recordModifiedAt: add it after hashing.
    const canonical = canonicalTicket(t);
    t.revision = canonical.revision;
    if (typeof ctx.recordModifiedAt === 'string' && ctx.recordModifiedAt !== '') source.recordModifiedAt = ctx.recordModifiedAt;

    // validate() answers yes/no without building the deep copy safeParse returns (which nothing
    // here reads); only a rejected ticket is parsed again, for the issues to report.
    if (!validator.validate(t)) {
      const checked = validator.safeParse(t);
      if (!checked.success) {
        return { ok: false, problems: checked.error.issues.map((i) => `${formatPath(i.path) || 'ticket'}: ${i.message}`) };
      }
    }
    return { ok: true, ticket: t as ETicket, canonical };
  }
}

// zod's ahead-of-time compiled validator (falls back to the runtime parser by itself if it cannot compile).
const validator = z.compile(eticketSchema);

// The members after lines, in eTicket order, written out: a loop over their names made every load and
// store a keyed one with a changing key.
function appendTail(main: Record<string, unknown>, t: Record<string, unknown>): void {
  if (main.loadNumber !== undefined) t.loadNumber = main.loadNumber;
  if (main.weighmaster !== undefined) t.weighmaster = main.weighmaster;
  if (main.contractNumber !== undefined) t.contractNumber = main.contractNumber;
  if (main.dotProjectCode !== undefined) t.dotProjectCode = main.dotProjectCode;
  if (main.jobNumber !== undefined) t.jobNumber = main.jobNumber;
  if (main.orderNumber !== undefined) t.orderNumber = main.orderNumber;
  if (main.purchaseOrder !== undefined) t.purchaseOrder = main.purchaseOrder;
  if (main.hauler !== undefined) t.hauler = main.hauler;
  if (main.driver !== undefined) t.driver = main.driver;
  if (main.deliveryLocation !== undefined) t.deliveryLocation = main.deliveryLocation;
  if (main.notes !== undefined) t.notes = main.notes;
}
