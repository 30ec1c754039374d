// The overview's small chart of the last hour: tickets delivered per minute as bars, the backlog
// as a line (its own scale, on the right). Plain SVG; the numbers are also in the text beside it
// and in the <title>, so nothing depends on reading the picture.
import type { MinutePoint } from '../history.js';
import { formatCount, formatRange } from './format.js';

const W = 240;
const H = 56;

export function LastHourChart({ minutes, label }: { minutes: MinutePoint[]; label: string }) {
  if (minutes.length === 0) return null;
  const maxTickets = Math.max(1, ...minutes.map((m) => m.tickets));
  const backlogs = minutes.map((m) => m.backlog).filter((b): b is number => b !== null);
  const maxBacklog = Math.max(1, ...backlogs);
  const bw = W / minutes.length;
  const total = minutes.reduce((n, m) => n + m.tickets, 0);
  const peak = Math.max(...minutes.map((m) => m.tickets));
  const points = minutes
    .map((m, i) => (m.backlog === null ? null : `${(i + 0.5) * bw},${H - 2 - (m.backlog / maxBacklog) * (H - 6)}`))
    .filter(Boolean)
    .join(' ');
  const lastBacklog = backlogs.length ? backlogs[backlogs.length - 1] : null;
  const summary = `${label}: ${formatCount(total)} tickets in the last hour (peak ${formatCount(peak)}/min)${lastBacklog !== null ? `, backlog now ${formatCount(lastBacklog)}` : ''}`;
  return (
    <figure className="chart" data-testid={`chart-${label}`}>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={summary} preserveAspectRatio="none">
        <title>{summary}</title>
        <line x1={0} y1={H - 0.5} x2={W} y2={H - 0.5} className="chart-axis" />
        {minutes.map((m, i) =>
          m.tickets > 0 ? (
            <rect
              key={m.at}
              x={i * bw + 0.5}
              width={Math.max(1, bw - 1)}
              y={H - 1 - (m.tickets / maxTickets) * (H - 6)}
              height={(m.tickets / maxTickets) * (H - 6)}
              className="chart-bar"
            />
          ) : null,
        )}
        {points && <polyline points={points} className="chart-line" fill="none" />}
      </svg>
      <figcaption>
        <span className="key key-bar">tickets/min</span> <span className="key key-line">backlog</span> ·{' '}
        {formatRange(minutes[0].at, minutes[minutes.length - 1].at)} · {formatCount(total)} in the hour
      </figcaption>
    </figure>
  );
}
