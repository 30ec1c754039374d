// One call for the UIs (CLI preview, review record, dashboard review page): connect to the profile's
// database, pull the samples, map them side by side, close. Plus the HTML page of a preview.
import type { Profile, SourceConfig } from '../config/schema.js';
import type { SourceAdapter } from '../sources/types.js';
import { cleanForDisplay, escapeHtml, htmlPage, ticketHtmlFragment } from './render.js';
import { mapperForProfile, pullSamples, reviewSamples, type ReviewSample } from './samples.js';

export interface PreviewOptions {
  latest?: number;
  ticketNumbers?: string[];
  /** Injected in tests; default core/sources createSource. */
  createSource?: (config: SourceConfig) => Promise<SourceAdapter>;
}

export interface Preview {
  profile: string;
  template: string;
  table: string;
  samples: ReviewSample[];
  /** Typed ticket numbers no row matched. */
  notFound: string[];
}

export async function previewProfile(profile: Profile, opts: PreviewOptions = {}): Promise<Preview> {
  // The mapper first: a template mistake is reported before any connection is made.
  const mapper = mapperForProfile(profile);
  const create = opts.createSource ?? (async (c: SourceConfig) => (await import('../sources/index.js')).createSource(c));
  const source = await create(profile.source);
  try {
    await source.connect();
    const pulled = await pullSamples(source, profile, { latest: opts.latest, ticketNumbers: opts.ticketNumbers, mapper });
    return {
      profile: profile.name,
      template: mapper.templateName,
      table: profile.table,
      samples: reviewSamples(pulled.rows, profile, mapper).map((s, i) =>
        pulled.requested[i] === null ? s : { ...s, requested: pulled.requested[i]! },
      ),
      notFound: pulled.notFound,
    };
  } finally {
    await source.close().catch(() => {});
  }
}

const CSS = `
section.sample{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start;margin:1.5em 0;border-top:2px solid #ccc;padding-top:1em}
section.sample h2{flex-basis:100%;font-size:1.1em;margin:0}
table.fields{border-collapse:collapse;font-size:.9em;flex:1;min-width:28em}
table.fields th,table.fields td{border:1px solid #ddd;padding:.2em .4em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
td.raw{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap}
.filtered{color:#a30000}
`;

/** A printable page of a preview: per ticket, the field table (value, source column, raw) beside the paper rendering. */
export function previewToHtml(p: Preview): string {
  const sections = p.samples.map((s) => {
    if (!s.ticket) {
      const raw = Object.entries(s.raw)
        .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td class="raw">${escapeHtml(JSON.stringify(v) ?? 'null')}</td></tr>`)
        .join('');
      return `<section class="sample"><h2 class="filtered">Ticket ${escapeHtml(s.ticketNumber || '(no number)')} — ${s.skipped ? 'skipped by a row rule' : 'filtered'}</h2>
<ul class="filtered">${s.problems.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>
<table class="fields"><thead><tr><th>column</th><th>raw value</th></tr></thead><tbody>${raw}</tbody></table></section>`;
    }
    const rows = s.fields
      .map(
        (f) =>
          `<tr><td>${escapeHtml(f.path)}</td><td>${escapeHtml(String(f.value))}</td><td>${escapeHtml(f.source)}</td><td class="raw">${escapeHtml(f.raw ?? '')}</td></tr>`,
      )
      .join('');
    return `<section class="sample"><h2>Ticket ${escapeHtml(s.ticketNumber)} — mapped</h2>
<table class="fields"><thead><tr><th>eTicket field</th><th>value sent</th><th>from column</th><th>raw value</th></tr></thead><tbody>${rows}</tbody></table>
${ticketHtmlFragment(s.ticket)}</section>`;
  });
  const missing = p.notFound.length ? `<p class="filtered">Not found: ${p.notFound.map(escapeHtml).join(', ')}</p>` : '';
  return htmlPage(
    `Mapping preview ${p.profile}`,
    `<h1>Mapping preview — ${escapeHtml(p.profile)}</h1><p>Template ${escapeHtml(p.template)}, table ${escapeHtml(p.table)}: ${p.samples.filter((s) => s.ticket).length} mapped, ${p.samples.filter((s) => !s.ticket).length} filtered.</p>${missing}\n${sections.join('\n')}`,
    CSS,
  );
}

const fit = (s: string, w: number) => (s.length > w ? `${s.slice(0, Math.max(1, w - 1))}…` : s.padEnd(w));

/**
 * The preview for a terminal: per ticket, the mapped fields beside their source columns and raw values
 * (or the reasons and the raw row when filtered), then the paper rendering. `width` is the terminal's.
 */
export function previewToText(p: Preview, width = 100, render?: (s: ReviewSample) => string): string {
  const W = Math.max(60, Math.min(200, Math.floor(width)));
  const out: string[] = [];
  const mapped = p.samples.filter((s) => s.ticket).length;
  const skipped = p.samples.filter((s) => !s.ticket && s.skipped).length;
  out.push(
    `Profile ${p.profile} · template ${p.template} · table ${p.table} · ${p.samples.length} ticket${p.samples.length === 1 ? '' : 's'}: ${mapped} mapped, ${p.samples.length - mapped - skipped} filtered${skipped ? `, ${skipped} skipped` : ''}`,
  );
  if (p.notFound.length) out.push(`Not found: ${p.notFound.join(', ')}`);
  if (p.samples.length === 0) out.push('No tickets to show.');
  for (const s of p.samples) {
    const head = `── Ticket ${cleanForDisplay(s.ticketNumber) || '(no number)'} · ${cleanForDisplay(s.ticketId)} · ${s.ticket ? 'mapped' : s.skipped ? 'SKIPPED' : 'FILTERED'} `;
    out.push('', (head + '─'.repeat(W)).slice(0, Math.max(W, head.length)));
    if (!s.ticket) {
      out.push(s.skipped ? 'Skipped by a row rule, not sent:' : 'Filtered, not sent:');
      for (const x of s.problems) out.push(`  - ${cleanForDisplay(x)}`);
      out.push('Raw row:');
      const kw = Math.min(30, Math.max(...Object.keys(s.raw).map((k) => k.length), 6));
      for (const [k, v] of Object.entries(s.raw))
        out.push(`  ${fit(cleanForDisplay(k), kw)}  ${fit(cleanForDisplay(JSON.stringify(v) ?? 'null'), W - kw - 4).trimEnd()}`);
      continue;
    }
    const pw = Math.min(32, Math.max(...s.fields.map((f) => f.path.length), 5));
    const rest = W - pw - 6;
    // The source column fits lookup paths ("customer_id → customers.name") up to 40 % of the width.
    const sw = Math.min(Math.floor(rest * 0.4), Math.max(11, ...s.fields.map((f) => f.source.length)));
    const vw = Math.min(Math.floor(rest * 0.4), Math.floor((rest - sw) * 0.6));
    const rw = rest - vw - sw;
    out.push(`${fit('field', pw)}  ${fit('value sent', vw)}  ${fit('from column', sw)}  raw value`);
    for (const f of s.fields)
      out.push(
        `${fit(f.path, pw)}  ${fit(cleanForDisplay(f.value), vw)}  ${fit(f.source, sw)}  ${fit(cleanForDisplay(f.raw ?? ''), rw)}`.trimEnd(),
      );
    if (render) out.push('', render(s));
  }
  return `${out.join('\n')}\n`;
}
