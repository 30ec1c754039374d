// Logs: the daemon's log lines as they are written, pushed over the page's WebSocket. Follows the
// newest line unless the reader scrolled up; Pause freezes the view while lines keep arriving.
import { useLayoutEffect, useRef, useState } from 'react';
import type { Connection, Level, LogEntry } from './live.js';
import { formatClock } from './format.js';

const LEVELS: Array<{ value: Level | 'all'; label: string }> = [
  { value: 'all', label: 'All levels' },
  { value: 'info', label: 'Info and above' },
  { value: 'warn', label: 'Warnings and errors' },
  { value: 'error', label: 'Errors only' },
];
const RANK: Record<Level, number> = { debug: 0, other: 1, info: 1, warn: 2, error: 3 };

export function LogsPage({ logs, available, connection }: { logs: LogEntry[]; available: boolean | null; connection: Connection }) {
  const [paused, setPaused] = useState<LogEntry[] | null>(null);
  const [min, setMin] = useState<Level | 'all'>('all');
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLDivElement>(null);

  const shown = (paused ?? logs).filter((l) => min === 'all' || RANK[l.level] >= RANK[min]);
  const newer = paused ? logs.filter((l) => l.seq > (paused.at(-1)?.seq ?? 0)).length : 0;

  // After each render with new lines: stay at the bottom if we were following.
  const lastSeq = shown.at(-1)?.seq;
  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [shown.length, lastSeq, follow]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    // Within a few pixels of the bottom counts as "at the bottom" (fractional scroll positions).
    setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 8);
  };

  return (
    <>
      <div className="page-head">
        <h2 id="page-title">Logs</h2>
        <div className="toolbar">
          <label>
            Show{' '}
            <select value={min} onChange={(e) => setMin(e.target.value as Level | 'all')}>
              {LEVELS.map((l) => (
                <option key={l.value} value={l.value}>
                  {l.label}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className={paused ? 'primary' : ''}
            aria-pressed={paused !== null}
            onClick={() => setPaused(paused ? null : logs)}
          >
            {paused ? 'Resume' : 'Pause'}
          </button>
        </div>
      </div>
      <p className="hint" role="status" data-testid="log-state">
        {available === false
          ? 'This process has no live log.'
          : paused
            ? `Paused${newer ? `: ${newer} new ${newer === 1 ? 'line' : 'lines'} waiting` : ''}.`
            : connection !== 'live'
              ? 'Not connected: new lines appear when the connection is back.'
              : follow
                ? 'Live: following the newest line.'
                : 'Live: scrolled up, not following.'}
      </p>
      <div
        className="log-box"
        ref={box}
        onScroll={onScroll}
        role="log"
        aria-live="off"
        aria-labelledby="page-title"
        tabIndex={0}
        data-testid="log-box"
      >
        {shown.length === 0 && <p className="empty">{available === null ? 'Waiting for the log…' : 'No log lines yet.'}</p>}
        {shown.map((l) => (
          <div key={l.seq} className={`log-line log-${l.level}`}>
            {l.time && (
              <time className="log-time" dateTime={l.time} title={l.time}>
                {formatClock(l.time)}
              </time>
            )}
            {l.level !== 'other' && <span className="log-level">{l.level}</span>}
            <span className="log-msg">{l.message}</span>
          </div>
        ))}
      </div>
      {!follow && !paused && shown.length > 0 && (
        <p className="jump">
          <button
            type="button"
            onClick={() => {
              setFollow(true);
              const el = box.current;
              if (el) el.scrollTop = el.scrollHeight;
            }}
          >
            Jump to newest
          </button>
        </p>
      )}
    </>
  );
}
