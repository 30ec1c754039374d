// A mapped eTicket drawn like the paper ticket the scale house prints, so plant staff can hold the
// two side by side: renderTicketText for the terminal, renderTicketHtml for a browser or a printer.
// Both draw from one model (paperModel), so they show the same rows in the same order, and each row
// knows which eTicket fields it shows (the review export highlights flagged ones).
//
// Everything shown is cleaned (terminal: control characters, bidi overrides and lone surrogates
// removed) or escaped (HTML: & < > " '), whatever the ticket holds: a ticket is data from a plant
// database and may come from anywhere.
import type { ETicket, ETicketLine } from '../mapping/eticket.js';
import { formatDateTime } from '../format/time.js';
import { printedQuantity } from './checks.js';

export interface PaperRow {
  label: string;
  value: string;
  /** eTicket field paths shown by this row ("customer.name", "lines.0.netWeight.value"). */
  paths: string[];
  /** A quantity: right-aligned in the text rendering. */
  amount?: boolean;
}

export interface PaperLine {
  head: string;
  paths: string[];
  rows: PaperRow[];
}

export interface PaperModel {
  title: string;
  subtitle: string[];
  ticketNumber: string;
  when: string;
  zone: string;
  voided: boolean;
  voidReason?: string;
  parties: PaperRow[];
  lines: PaperLine[];
  footer: PaperRow[];
  id: string;
}

const UNIT_NAMES: Record<string, string> = {
  LBR: 'lb',
  STN: 'ton',
  TNE: 't',
  KGM: 'kg',
  MTQ: 'm³',
  YDQ: 'yd³',
  EA: 'ea',
  FAH: '°F',
  CEL: '°C',
};

// C0/C1 controls (tab and newline included: a field is one line), bidi embeddings/overrides/isolates.
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

/** Text safe to print to a terminal: no control characters, no bidi tricks, no lone surrogates. */
export function cleanForDisplay(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : '';
  return s.toWellFormed().replace(UNSAFE, ' ').trim();
}

export function formatNumber(n: unknown): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return cleanForDisplay(n);
  return n.toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** A quantity rounded as the scale house prints it (whole pounds, hundredths of tons), with its unit. */
function qty(q: { value: number; unit: string } | undefined): string {
  if (!q) return '';
  if (typeof q.value !== 'number' || !Number.isFinite(q.value))
    return `${formatNumber(q.value)} ${UNIT_NAMES[q.unit] ?? cleanForDisplay(q.unit)}`;
  return cleanForDisplay(printedQuantity(q).replace(/ \S+$/, ` ${UNIT_NAMES[q.unit] ?? q.unit}`));
}

const party = (p: { id?: string; name: string } | undefined) => (p ? (p.id ? `${p.name} (${p.id})` : p.name) : '');

function row(label: string, value: unknown, paths: string[], amount = false): PaperRow[] {
  const v = cleanForDisplay(value);
  return v ? [{ label, value: v, paths, amount }] : [];
}

function lineModel(l: ETicketLine, i: number): PaperLine {
  const p = `lines.${i}.`;
  const n = l.lineNumber ?? i + 1;
  const extras = [
    l.mixDesignId ? `Mix ${cleanForDisplay(l.mixDesignId)}` : '',
    l.temperature ? `Temp ${formatNumber(l.temperature.value)} ${UNIT_NAMES[l.temperature.unit] ?? ''}` : '',
    l.payItem ? `Pay item ${cleanForDisplay(l.payItem)}` : '',
  ].filter(Boolean);
  return {
    head: `${n}  ${cleanForDisplay(l.productCode)}  ${cleanForDisplay(l.productDescription)}`,
    paths: [`${p}lineNumber`, `${p}productCode`, `${p}productDescription`],
    rows: [
      ...row('Gross', qty(l.grossWeight), [`${p}grossWeight`], true),
      ...row('Tare', qty(l.tareWeight), [`${p}tareWeight`], true),
      ...row('Net', qty(l.netWeight), [`${p}netWeight`], true),
      ...row('QUANTITY', qty(l.quantity), [`${p}quantity`], true),
      ...row('To date', qty(l.cumulativeQuantity), [`${p}cumulativeQuantity`], true),
      ...row('Material', `${l.materialCategory}, ${l.weighMethod}`, [`${p}materialCategory`, `${p}weighMethod`]),
      ...row('', extras.join(' · '), [`${p}mixDesignId`, `${p}temperature`, `${p}payItem`]),
    ],
  };
}

/** The rows of a paper ticket, in print order. Never throws on a ticket missing fields. */
export function paperModel(t: ETicket): PaperModel {
  const offset = /([+-]\d{2}:\d{2}|Z)$/.exec(String(t.issuedAt ?? ''))?.[1] ?? '';
  return {
    title: cleanForDisplay(t.plant?.name).toUpperCase(),
    subtitle: [cleanForDisplay(t.supplier?.name), t.plant?.id ? `Plant ${cleanForDisplay(t.plant.id)}` : ''].filter(Boolean),
    ticketNumber: cleanForDisplay(t.ticketNumber),
    // The one time format: plant date and time with the zone abbreviation.
    when: cleanForDisplay(
      t.issuedAt ? formatDateTime(t.issuedAt, { timeZone: t.plantTimeZone }, '') : String(t.issuedAtLocal ?? '').replace('T', ' '),
    ),
    zone: cleanForDisplay(`${t.plantTimeZone ?? ''}${offset ? ` (UTC${offset === 'Z' ? '' : offset})` : ''}`),
    voided: t.status === 'voided',
    voidReason: t.voidReason ? cleanForDisplay(t.voidReason) : undefined,
    parties: [
      ...row('Customer', party(t.customer), ['customer']),
      ...row('Job', t.jobNumber, ['jobNumber']),
      ...row('Order', t.orderNumber, ['orderNumber']),
      ...row('PO', t.purchaseOrder, ['purchaseOrder']),
      ...row('Contract', t.contractNumber, ['contractNumber']),
      ...row('DOT proj.', t.dotProjectCode, ['dotProjectCode']),
      ...row('Deliver to', t.deliveryLocation?.address, ['deliveryLocation']),
      ...row('Truck', t.truck?.id, ['truck']),
      ...row('Trailers', (t.trailers ?? []).map((x) => x.id).join(', '), ['trailers']),
      ...row('Hauler', party(t.hauler), ['hauler']),
      ...row('Driver', party(t.driver), ['driver']),
      ...row('Load #', t.loadNumber, ['loadNumber']),
    ],
    lines: (Array.isArray(t.lines) ? t.lines : []).map(lineModel),
    footer: [...row('Weighmaster', t.weighmaster, ['weighmaster']), ...row('Notes', t.notes, ['notes'])],
    id: cleanForDisplay(`eTicket ${t.ticketId ?? ''}  ${String(t.revision ?? '').slice(0, 15)}`),
  };
}

/** Whether a row showing `paths` shows the flagged field `flag` (or part of it, or all of it). */
export function showsField(paths: readonly string[], flag: string): boolean {
  return paths.some((p) => p === flag || p.startsWith(`${flag}.`) || flag.startsWith(`${p}.`));
}

// ---------------------------------------------------------------------------------------------
// Terminal

/** Splits text into lines of at most `width` characters, at spaces where it can. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let w = word;
    while (w.length > width) {
      if (line) {
        out.push(line);
        line = '';
      }
      out.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!line) line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      out.push(line);
      line = w;
    }
  }
  if (line || out.length === 0) out.push(line);
  return out;
}

export interface TextOptions {
  /** Characters per line, 32–120 (default 48: a scale-house printer's width). */
  width?: number;
}

/** The ticket as the scale house prints it, for a terminal. */
export function renderTicketText(ticket: ETicket, opts: TextOptions = {}): string {
  const W = Math.max(32, Math.min(120, Math.floor(opts.width ?? 48)));
  const m = paperModel(ticket);
  const out: string[] = [];
  const center = (s: string) => wrap(s, W).forEach((l) => out.push(' '.repeat(Math.max(0, Math.floor((W - l.length) / 2))) + l));
  const rule = (c: string) => out.push(c.repeat(W));
  const LABEL = 12;
  const field = (r: PaperRow, indent = 0) => {
    const label = r.label.slice(0, LABEL - indent - 1).padEnd(LABEL - indent);
    const room = W - LABEL;
    if (r.amount && r.value.length <= room) {
      out.push(' '.repeat(indent) + label + r.value.padStart(room));
      return;
    }
    wrap(r.value, room).forEach((l, i) => out.push(' '.repeat(indent) + (i === 0 ? label : ' '.repeat(LABEL - indent)) + l));
  };

  rule('=');
  if (m.title) center(m.title);
  m.subtitle.forEach(center);
  rule('=');
  const no = `TICKET ${m.ticketNumber}`;
  if (no.length + 1 + m.when.length <= W) out.push(no + m.when.padStart(W - no.length));
  else {
    wrap(no, W).forEach((l) => out.push(l));
    out.push(m.when.padStart(W));
  }
  if (m.zone) out.push(m.zone.padStart(W));
  if (m.voided) {
    rule('*');
    center(`*** VOID ***${m.voidReason ? ` ${m.voidReason}` : ''}`);
    rule('*');
  }
  rule('-');
  m.parties.forEach((r) => field(r));
  for (const l of m.lines) {
    rule('-');
    wrap(l.head, W).forEach((x) => out.push(x));
    l.rows.forEach((r) => field(r, 3));
  }
  if (m.footer.length) {
    rule('-');
    m.footer.forEach((r) => field(r));
  }
  rule('=');
  wrap(m.id, W).forEach((x) => out.push(x));
  return out.map((l) => l.trimEnd()).join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// HTML

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(v: unknown): string {
  return cleanForDisplay(v).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** The styles of a paper ticket; shared by renderTicketHtml and the review export. */
export const TICKET_CSS = `
.ticket{font:13px/1.35 ui-monospace,Menlo,Consolas,"Courier New",monospace;width:30em;max-width:100%;border:1px solid #999;padding:1em 1.2em;margin:1em auto;background:#fffef8;color:#111;box-sizing:border-box;break-inside:avoid}
.ticket h1{font-size:1.15em;text-align:center;margin:0;letter-spacing:.04em}
.ticket .sub{text-align:center;margin:0}
.ticket hr{border:0;border-top:1px dashed #777;margin:.6em 0}
.ticket .no{display:flex;justify-content:space-between;font-weight:bold;font-size:1.1em}
.ticket .zone{text-align:right;color:#444}
.ticket .void{border:2px solid #b00;color:#b00;text-align:center;font-weight:bold;padding:.2em;margin:.5em 0}
.ticket table{width:100%;border-collapse:collapse}
.ticket th{text-align:left;font-weight:normal;color:#444;width:7.5em;vertical-align:top;padding:0 .4em 0 0}
.ticket td{vertical-align:top;overflow-wrap:anywhere}
.ticket td.amount{text-align:right}
.ticket .line-head{font-weight:bold;margin:.3em 0 .1em}
.ticket .line table{margin-left:1.5em;width:calc(100% - 1.5em)}
.ticket .id{color:#555;font-size:.85em;overflow-wrap:anywhere}
.ticket .flagged, .ticket .flagged th{background:#ffe08a;color:#000}
.ticket .flagged td::after{content:" ⚑";color:#b00}
@media print{.ticket{border-color:#000;background:#fff}}
`;

export interface HtmlOptions {
  /** eTicket field paths to highlight (flagged in a review). */
  flagged?: readonly string[];
}

/** The ticket as an HTML fragment (<article class="ticket">); every value is escaped. */
export function ticketHtmlFragment(ticket: ETicket, opts: HtmlOptions = {}): string {
  const m = paperModel(ticket);
  const flags = opts.flagged ?? [];
  const cls = (paths: readonly string[]) => (flags.some((f) => showsField(paths, f)) ? ' class="flagged"' : '');
  const rows = (rs: PaperRow[]) =>
    rs.length
      ? `<table>${rs.map((r) => `<tr${cls(r.paths)}><th>${escapeHtml(r.label)}</th><td${r.amount ? ' class="amount"' : ''}>${escapeHtml(r.value)}</td></tr>`).join('')}</table>`
      : '';
  return [
    '<article class="ticket">',
    `<h1>${escapeHtml(m.title)}</h1>`,
    ...m.subtitle.map((s) => `<p class="sub">${escapeHtml(s)}</p>`),
    '<hr>',
    `<div class="no"><span${cls(['ticketNumber'])}>Ticket ${escapeHtml(m.ticketNumber)}</span><span${cls(['issuedAt', 'issuedAtLocal'])}>${escapeHtml(m.when)}</span></div>`,
    `<div class="zone">${escapeHtml(m.zone)}</div>`,
    m.voided
      ? `<div class="void${flags.some((f) => showsField(['status', 'voidReason'], f)) ? ' flagged' : ''}">VOID${m.voidReason ? ` — ${escapeHtml(m.voidReason)}` : ''}</div>`
      : '',
    '<hr>',
    rows(m.parties),
    ...m.lines.map(
      (l) => `<hr><section class="line"><div class="line-head"${cls(l.paths)}>${escapeHtml(l.head)}</div>${rows(l.rows)}</section>`,
    ),
    m.footer.length ? `<hr>${rows(m.footer)}` : '',
    '<hr>',
    `<div class="id">${escapeHtml(m.id)}</div>`,
    '</article>',
  ].join('\n');
}

/** A page that loads nothing from outside (CSP default-src 'none'), to print or keep. */
export function htmlPage(title: string, body: string, css = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5em;color:#111}
${TICKET_CSS}${css}
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** The ticket as a self-contained, printable HTML page (no external assets, everything escaped). */
export function renderTicketHtml(ticket: ETicket, opts: HtmlOptions = {}): string {
  return htmlPage(`Ticket ${cleanForDisplay(ticket.ticketNumber)}`, ticketHtmlFragment(ticket, opts));
}
