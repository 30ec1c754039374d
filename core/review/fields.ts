// The field names a reviewer may flag: any eTicket v1 field path, with line and trailer indexes
// ("customer.name", "lines.0.quantity.value", "lines.1.netWeight"), or "ticket" for the whole ticket.
import { closest } from '../mapping/template.js';
import { eticketJsonSchema } from '../mapping/eticket-docs.js';

let cache: Set<string> | undefined;

/** The part of a JSON Schema node the walk reads. */
interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

/** Every eTicket path, arrays written as "lines[]" ("lines[].quantity.value"). */
export function eticketFieldPaths(): Set<string> {
  if (cache) return cache;
  const out = new Set<string>();
  const walk = (s: SchemaNode, prefix: string) => {
    for (const [k, v] of Object.entries(s.properties ?? {})) {
      out.add(prefix + k);
      if (v.type === 'object') walk(v, `${prefix}${k}.`);
      if (v.type === 'array' && v.items?.type === 'object') walk(v.items, `${prefix}${k}[].`);
    }
  };
  walk(eticketJsonSchema() as SchemaNode, '');
  return (cache = out);
}

/** Checks a flagged field; returns null when it names an eTicket field, else a plain sentence. */
export function checkFlagField(field: string): string | null {
  const f = field.trim();
  if (f === 'ticket') return null;
  const generic = f.replace(/\.(\d{1,4})(?=\.|$)/g, '[]');
  const paths = eticketFieldPaths();
  if (paths.has(generic) || paths.has(generic.replace(/\[\]$/, ''))) return null;
  const near = closest(generic, [...paths]);
  return `"${f.slice(0, 80)}" is not an eTicket field${near ? ` (did you mean "${near.replace('[]', '.0')}"?)` : ''}; use a path like customer.name or lines.0.quantity.value, or "ticket".`;
}
