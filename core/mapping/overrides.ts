// The profile's field overrides (config mapping.fields): "plant.name" → expression, applied to a
// copy of the template before it is compiled. Paths are the eTicket's dotted field paths; "lines.X"
// applies to every line; null unmaps an optional field. Mistakes are refused with the config path.
import { DERIVED_FIELDS, LINE_FIELDS, TICKET_FIELDS, overridePaths, type FieldSpec, type LeafSpec } from './catalog.js';
import { closest, describeIssues, expressionSchema, linesSourceSchema, type Template } from './template.js';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function findSpec(fields: readonly FieldSpec[], rel: string): { spec?: FieldSpec; leaf?: LeafSpec; group?: FieldSpec } {
  const [a, b, ...rest] = rel.split('.');
  const top = fields.find((f) => f.key === a);
  if (!top || rest.length) return {};
  if (b === undefined) return top.kind === 'leaf' ? { spec: top, leaf: top } : { group: top };
  if (top.kind !== 'group') return {};
  const leaf = top.leaves.find((l) => l.key === b);
  return leaf ? { spec: top, leaf } : {};
}

/**
 * Applies overrides to a copy of `template`. `origins` receives, for each template path replaced
 * ("ticket.plant.name", "lines[0].productCode"), the config path to name in later compile errors.
 */
export function applyOverrides(template: Template, fields: Record<string, unknown>, origins: Map<string, string>): Template {
  const t = structuredClone(template);
  for (const [rawPath, value] of Object.entries(fields)) {
    const at = `mapping.fields[${JSON.stringify(rawPath)}]`;
    const path = rawPath.trim();
    const head = path.split('.')[0];
    if (DERIVED_FIELDS.includes(head)) throw new Error(`${at}: ${head} is set by Outpost and cannot be overridden`);
    if (path === 'trailers') {
      // A list of trailer ids: expressions or {"id": expression}; null removes the template's trailers.
      if (value === null) {
        delete (t.ticket as Record<string, unknown>).trailers;
      } else {
        if (!Array.isArray(value) || value.length > 10)
          throw new Error(`${at} must be a list of up to 10 expressions, e.g. [{"column": "trailer_1"}, {"column": "trailer_2"}]`);
        const list = value.map((v, i) => {
          const e = isPlainObject(v) && 'id' in v && Object.keys(v).length === 1 ? v.id : v;
          const r = expressionSchema.safeParse(e);
          if (!r.success) throw new Error(describeIssues(`${at}[${i}]`, r.error, e));
          return { id: r.data };
        });
        (t.ticket as Record<string, unknown>).trailers = list;
        list.forEach((_, i) => origins.set(`ticket.trailers[${i}].id`, `${at}[${i}]`));
      }
      continue;
    }
    if (path === 'linesSource' || path.startsWith('linesSource.')) {
      if (t.layout !== 'header-lines' || !t.linesSource)
        throw new Error(`${at}: the template "${t.name}" is single-table; linesSource applies to header-lines templates`);
      const part = path === 'linesSource' ? value : { [path.slice('linesSource.'.length)]: value };
      if (!isPlainObject(part)) throw new Error(`${at} must be an object such as {"table": "dbo.TKTL"}`);
      const merged = { ...t.linesSource, ...part };
      const r = linesSourceSchema.safeParse(merged);
      if (!r.success) throw new Error(describeIssues(at, r.error, merged));
      t.linesSource = r.data;
      continue;
    }
    if (head === 'trailers') throw new Error(`${at}: override the whole list: "trailers": [{"column": "trailer_1"}, …]`);
    const isLine = head === 'lines';
    const rel = isLine ? path.slice('lines.'.length) : path;
    const found = findSpec(isLine ? LINE_FIELDS : TICKET_FIELDS, rel);
    if (found.group && found.group.kind === 'group') {
      const list = found.group.leaves.map((l) => `${isLine ? 'lines.' : ''}${found.group!.key}.${l.key}`).join(', ');
      throw new Error(`${at}: ${path} is an object; override its fields instead (${list})`);
    }
    if (!found.leaf || !found.spec) {
      const near = !isLine && findSpec(LINE_FIELDS, path).leaf ? `lines.${path}` : closest(path, overridePaths());
      throw new Error(
        `${at}: ${JSON.stringify(path)} is not an eTicket field a mapping can set${near ? ` (did you mean "${near}"?)` : ''}`,
      );
    }
    const spec = found.spec;
    const leaf = found.leaf;
    if (value === null) {
      const needed = spec.kind === 'leaf' ? leaf.required : spec.required && leaf.required && leaf.key !== 'unit';
      if (needed) throw new Error(`${at}: ${path} is required by eTicket v1 and cannot be removed`);
    } else {
      if (!isPlainObject(value)) {
        throw new Error(`${at} must be an expression such as {"const": "Riverside Asphalt"} or {"column": "PlantName"}`);
      }
      const r = expressionSchema.safeParse(value);
      if (!r.success) throw new Error(describeIssues(at, r.error, value));
    }
    const targets: Record<string, unknown>[] = isLine ? (t.lines as Record<string, unknown>[]) : [t.ticket as Record<string, unknown>];
    targets.forEach((target, i) => {
      const base = isLine ? `lines[${i}].` : 'ticket.';
      let holder = target;
      if (spec.kind === 'group') {
        if (!isPlainObject(holder[spec.key])) {
          if (value === null) return;
          holder[spec.key] = {};
        }
        holder = holder[spec.key] as Record<string, unknown>;
      }
      if (value === null && spec.kind === 'group' && spec.primary === leaf.key)
        delete target[spec.key]; // unmapping an optional object
      else if (value === null) delete holder[leaf.key];
      else holder[leaf.key] = structuredClone(value);
      origins.set(`${base}${spec.kind === 'group' ? `${spec.key}.` : ''}${leaf.key}`, at);
    });
  }
  return t;
}
