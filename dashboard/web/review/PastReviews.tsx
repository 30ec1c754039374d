// Recorded reviews, each with its printable export (HTML the browser prints or saves as PDF).
import type { ReviewSummary } from '../../../core/review/store.js';
import { formatStamp } from '../format.js';

export function exportUrl(id: number): string {
  return `/api/review/${id}/export`;
}

/** Opens the printable page and the browser's print dialog (print or save as PDF). */
export function printReview(id: number): void {
  const w = window.open(exportUrl(id), '_blank');
  if (w) w.addEventListener('load', () => w.print(), { once: true });
}

export function ExportButtons({ id }: { id: number }) {
  return (
    <span className="export-buttons">
      <button type="button" className="primary" onClick={() => printReview(id)} data-testid={`print-${id}`}>
        Print / save as PDF
      </button>
      <a className="button" href={exportUrl(id)} target="_blank" rel="noopener" data-testid={`export-${id}`}>
        Open printable page
      </a>
    </span>
  );
}

export function PastReviews({ reviews }: { reviews: ReviewSummary[] }) {
  if (reviews.length === 0) return null;
  return (
    <section aria-labelledby="past-title" className="past">
      <h3 id="past-title">Recorded reviews</h3>
      <ul className="past-list">
        {reviews.map((r) => (
          <li key={r.id} data-testid={`review-${r.id}`}>
            <span>
              <strong>#{r.id}</strong> {r.profile} · {r.reviewer} · {formatStamp(r.reviewedAt)} · {r.approved} approved ·{' '}
              <span className={r.flagged ? 'count-bad' : undefined}>{r.flagged} flagged</span>
            </span>
            <ExportButtons id={r.id} />
          </li>
        ))}
      </ul>
    </section>
  );
}
