// A recorded review, exported for the customer to keep: JSON for systems, and a printable HTML page
// (self-contained, nothing loaded from outside, every value escaped) with the summary, each ticket
// drawn like its paper ticket with the flagged fields highlighted, and a place to sign.
import type { Review } from './store.js';
import { escapeHtml, htmlPage, ticketHtmlFragment } from './render.js';
import { formatDateTime } from '../format/time.js';
import { printedQuantity } from './checks.js';

export const REVIEW_EXPORT_KIND = 'outpost-review';

export interface ReviewExport {
  kind: typeof REVIEW_EXPORT_KIND;
  version: 1;
  review: Review;
  summary: { tickets: number; approved: number; flagged: number };
}

export function reviewToJson(review: Review): ReviewExport {
  const approved = review.tickets.filter((t) => t.verdict === 'approved').length;
  return {
    kind: REVIEW_EXPORT_KIND,
    version: 1,
    review,
    summary: { tickets: review.tickets.length, approved, flagged: review.tickets.length - approved },
  };
}

/** The value at a dotted path of a ticket, for "flagged field: value" lines. */
function valueAt(ticket: unknown, path: string): string {
  let v: unknown = ticket;
  for (const p of path.split('.')) {
    if (v === null || typeof v !== 'object') return '';
    v = (v as Record<string, unknown>)[p];
  }
  if (v === undefined) return '(not on the ticket)';
  if (v !== null && typeof v === 'object') {
    // As a person reads it: a party by its name, a quantity rounded as printed, a truck by its id.
    const o = v as Record<string, unknown>;
    if (typeof o.name === 'string') return typeof o.id === 'string' ? `${o.name} (${o.id})` : o.name;
    if (typeof o.value === 'number' && typeof o.unit === 'string') return printedQuantity({ value: o.value, unit: o.unit });
    if (typeof o.id === 'string') return o.id;
    return JSON.stringify(v);
  }
  return String(v);
}

const CSS = `
header.review{max-width:60em;margin:0 auto 1em}
header.review h1{font-size:1.4em;margin:.2em 0}
table.meta td,table.meta th{text-align:left;padding:.15em .8em .15em 0}
table.summary{border-collapse:collapse;margin:.8em 0;width:100%}
table.summary th,table.summary td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}
.verdict-approved{color:#065f2c;font-weight:bold}
.verdict-flagged{color:#a30000;font-weight:bold}
section.entry{max-width:60em;margin:1.5em auto;break-inside:avoid}
section.entry h2{font-size:1.1em;border-bottom:1px solid #ccc;padding-bottom:.2em}
ul.flags li{margin:.2em 0}
.problems{color:#a30000}
.sign{max-width:60em;margin:2em auto;display:flex;gap:3em}
.sign div{flex:1;border-top:1px solid #000;padding-top:.3em}
@media print{section.entry{page-break-inside:avoid}}
`;

/** `timeZone`: the plant's zone, for the review time (the one time format; default the host's). */
export function reviewToHtml(review: Review, opts: { timeZone?: string } = {}): string {
  const j = reviewToJson(review);
  const rows = review.tickets
    .map(
      (t) =>
        `<tr><td>${escapeHtml(t.ticketNumber)}</td><td class="verdict-${t.verdict}">${t.verdict === 'approved' ? 'Approved' : 'Flagged'}</td>` +
        `<td>${t.flags.map((f) => `${escapeHtml(f.field)}: ${escapeHtml(f.comment)}`).join('<br>')}${t.comment ? `${t.flags.length ? '<br>' : ''}${escapeHtml(t.comment)}` : ''}</td></tr>`,
    )
    .join('\n');
  const entries = review.tickets
    .map((t) => {
      const flags = t.flags.length
        ? `<ul class="flags">${t.flags
            .map(
              (f) =>
                `<li><strong>${escapeHtml(f.field)}</strong>${t.ticket ? ` (sent as “${escapeHtml(valueAt(t.ticket, f.field))}”)` : ''}: ${escapeHtml(f.comment)}</li>`,
            )
            .join('')}</ul>`
        : '';
      const body = t.ticket
        ? ticketHtmlFragment(t.ticket, { flagged: t.flags.map((f) => f.field) })
        : `<p class="problems">This row was not mapped to an e-ticket: ${t.problems.map(escapeHtml).join('; ') || 'no reason recorded'}.</p>`;
      return `<section class="entry"><h2>Ticket ${escapeHtml(t.ticketNumber)} — <span class="verdict-${t.verdict}">${t.verdict === 'approved' ? 'approved' : 'flagged'}</span></h2>${flags}${t.comment ? `<p>${escapeHtml(t.comment)}</p>` : ''}${body}</section>`;
    })
    .join('\n');
  const body = `<header class="review">
<h1>E-ticket review — ${escapeHtml(review.profile)}</h1>
<table class="meta">
<tr><th>Reviewer</th><td>${escapeHtml(review.reviewer)}</td></tr>
<tr><th>Reviewed at</th><td><time datetime="${escapeHtml(review.reviewedAt)}">${escapeHtml(formatDateTime(review.reviewedAt, { timeZone: opts.timeZone }))}</time></td></tr>
<tr><th>Mapping template</th><td>${escapeHtml(review.template ?? '')}</td></tr>
<tr><th>Review no.</th><td>${escapeHtml(review.id)}</td></tr>
<tr><th>Result</th><td>${j.summary.approved} approved, ${j.summary.flagged} flagged, of ${j.summary.tickets}</td></tr>
</table>
<table class="summary"><thead><tr><th>Ticket</th><th>Verdict</th><th>Flagged fields and comments</th></tr></thead><tbody>
${rows}
</tbody></table>
</header>
${entries}
<div class="sign"><div>Plant representative</div><div>Date</div></div>`;
  return htmlPage(
    `E-ticket review ${review.profile} ${formatDateTime(review.reviewedAt, { timeZone: opts.timeZone, seconds: false })}`,
    body,
    CSS,
  );
}
