// The fields a person checks against the paper ticket, in the order the paper prints them: number,
// date and time in the plant's zone, customer, job, truck, and per line the product and the
// quantity rounded as the scale house prints it, with its unit. Everything else on the e-ticket is
// technical (schema version, revision hash, ids) and is shown folded away. Used by the dashboard's
// review page; each check names the eTicket path it stands for, so a flag records a real field.
import type { ETicket } from '../mapping/eticket.js';
import { formatDateTime } from '../format/time.js';
import type { ReviewField } from './samples.js';

export interface PaperCheck {
  /** Plain label ("Date and time", "Line 1 quantity"). */
  label: string;
  /** As the paper shows it: "Dec 1, 2026 08:03 CST", "24.29 ton". */
  value: string;
  /** The eTicket path a flag on this check records ("issuedAt", "lines.0.quantity"). */
  path: string;
  /** Source column(s) and raw value(s), for the curious (from the side-by-side fields). */
  source?: string;
  raw?: string;
}

const UNIT_NAMES: Record<string, string> = { LBR: 'lb', STN: 'ton', TNE: 't', KGM: 'kg', MTQ: 'm³', YDQ: 'yd³', EA: 'ea' };
/** Decimals a scale ticket prints per unit: whole pounds and kilograms, hundredths of tons and cubic measures. */
const DECIMALS: Record<string, number> = { LBR: 0, KGM: 0, EA: 0, STN: 2, TNE: 2, MTQ: 2, YDQ: 2 };

/** A quantity rounded as printed, with its unit: 24.2931 STN → "24.29 ton". */
export function printedQuantity(q: { value: number; unit: string } | undefined): string {
  if (!q || typeof q.value !== 'number' || !Number.isFinite(q.value)) return '';
  const d = DECIMALS[q.unit] ?? 2;
  return `${q.value.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: d })} ${UNIT_NAMES[q.unit] ?? q.unit}`;
}

export function paperChecks(t: ETicket, fields: ReviewField[] = []): PaperCheck[] {
  const out: PaperCheck[] = [];
  const add = (label: string, value: string | undefined, path: string) => {
    if (!value) return;
    const related = fields.filter((f) => f.path === path || f.path.startsWith(`${path}.`));
    const source = [...new Set(related.map((f) => f.source).filter(Boolean))].join(', ');
    const raw = [...new Set(related.map((f) => f.raw).filter((r): r is string => Boolean(r)))].join(', ');
    out.push({ label, value, path, ...(source ? { source } : {}), ...(raw ? { raw } : {}) });
  };
  add('Ticket number', t.ticketNumber, 'ticketNumber');
  add('Date and time', t.issuedAt ? formatDateTime(t.issuedAt, { timeZone: t.plantTimeZone, seconds: false }) : undefined, 'issuedAt');
  if (t.status === 'voided') add('Status', `VOID${t.voidReason ? ` — ${t.voidReason}` : ''}`, 'status');
  add('Customer', t.customer ? (t.customer.id ? `${t.customer.name} (${t.customer.id})` : t.customer.name) : undefined, 'customer');
  add('Job', t.jobNumber, 'jobNumber');
  add('Truck', t.truck?.id, 'truck');
  const lines = Array.isArray(t.lines) ? t.lines : [];
  lines.forEach((l, i) => {
    const n = lines.length > 1 ? `Line ${l.lineNumber ?? i + 1} ` : '';
    const product = [l.productCode, l.productDescription].filter(Boolean).join(' — ');
    add(`${n}${n ? 'product' : 'Product'}`, product, `lines.${i}.productCode`);
    add(`${n}${n ? 'quantity' : 'Quantity'}`, printedQuantity(l.quantity), `lines.${i}.quantity`);
    if (l.netWeight && l.netWeight.unit !== l.quantity?.unit)
      add(`${n}${n ? 'net weight' : 'Net weight'}`, printedQuantity(l.netWeight), `lines.${i}.netWeight`);
  });
  return out;
}
