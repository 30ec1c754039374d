// One sample ticket for plant staff: the paper-ticket drawing first, beside it the fields a person
// checks on the paper (as printed: plant-zone time, rounded quantities with units), each marked as
// matching or flagged with what the paper says, right at the ticket. A filtered ticket shows its
// reasons and cannot be approved (only flagged as a whole). Technical fields are folded away.
import type { DashboardSample } from '../../review.js';
import { Paper } from './Paper.js';
import { approveAll, setCheck, verdictOf, type Decision } from './decisions.js';

const VERDICT_TEXT = { approved: 'matches the paper', flagged: 'flagged', open: 'not checked yet' } as const;
const VERDICT_TONE = { approved: 'ok', flagged: 'bad', open: 'neutral' } as const;

export function SampleCard({
  sample: s,
  decision: d,
  onChange,
}: {
  sample: DashboardSample;
  decision: Decision;
  onChange: (f: (d: Decision) => Decision) => void;
}) {
  const verdict = verdictOf(s, d);
  const number = s.ticketNumber || s.ticketId;
  const id = `sample-${s.ticketId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const flagged = Object.keys(d.flags);
  return (
    <section className={`sample sample-${VERDICT_TONE[verdict]}`} aria-labelledby={id} data-testid={`sample-${s.ticketNumber}`}>
      <div className="sample-head">
        <h3 id={id}>Ticket {number}</h3>
        <span className={`badge badge-${VERDICT_TONE[verdict]}`} data-testid={`verdict-${s.ticketNumber}`}>
          {VERDICT_TEXT[verdict]}
        </span>
      </div>
      {s.paper ? (
        <div className="sample-body">
          <Paper model={s.paper} flagged={flagged} />
          <div className="checks">
            <p className="hint">Hold the paper ticket next to this one. Mark each line:</p>
            <ul className="check-list">
              {s.checks.map((c) => {
                const state = c.path in d.flags ? 'flag' : d.ok[c.path] ? 'ok' : 'none';
                return (
                  <li key={c.path} className={`check-row check-${state}`} data-testid={`check-${s.ticketNumber}-${c.path}`}>
                    <div className="check-what">
                      <span className="check-label">{c.label}</span>
                      <span className="check-value">{c.value}</span>
                    </div>
                    <div className="check-buttons" role="group" aria-label={`${c.label} of ticket ${number}`}>
                      <button
                        type="button"
                        className="ok-btn"
                        aria-pressed={state === 'ok'}
                        onClick={() => onChange((x) => setCheck(x, c.path, state === 'ok' ? 'none' : 'ok'))}
                      >
                        ✓ Matches
                      </button>
                      <button
                        type="button"
                        className="flag-btn"
                        aria-pressed={state === 'flag'}
                        onClick={() => onChange((x) => setCheck(x, c.path, state === 'flag' ? 'none' : 'flag'))}
                      >
                        ✗ Wrong
                      </button>
                    </div>
                    {state === 'flag' && (
                      <label className="flag-comment">
                        What does the paper say?
                        <input
                          type="text"
                          value={d.flags[c.path]}
                          maxLength={2000}
                          required
                          aria-invalid={!d.flags[c.path].trim()}
                          onChange={(e) => onChange((x) => ({ ...x, flags: { ...x.flags, [c.path]: e.target.value } }))}
                          placeholder="e.g. 24.50 ton"
                        />
                      </label>
                    )}
                  </li>
                );
              })}
            </ul>
            <div className="sample-actions">
              <button type="button" className="primary" onClick={() => onChange((x) => approveAll(s, x))} disabled={verdict === 'approved'}>
                All match — approve ticket
              </button>
            </div>
            <label className="flag-comment">
              Comment (optional)
              <input
                type="text"
                value={d.comment}
                maxLength={2000}
                onChange={(e) => onChange((x) => ({ ...x, comment: e.target.value }))}
              />
            </label>
          </div>
        </div>
      ) : (
        <div className="filtered-ticket">
          <p>
            <strong>Not sent: this row could not be made into an e-ticket</strong>, so it cannot be approved. Why:
          </p>
          <ul className="problems">
            {s.problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
          <label className="check">
            <input
              type="checkbox"
              checked={'ticket' in d.flags}
              onChange={(e) => onChange((x) => setCheck(x, 'ticket', e.target.checked ? 'flag' : 'none'))}
            />
            Flag this ticket for the office
          </label>
          {'ticket' in d.flags && (
            <label className="flag-comment">
              What should it say?
              <input
                type="text"
                value={d.flags.ticket}
                maxLength={2000}
                onChange={(e) => onChange((x) => ({ ...x, flags: { ...x.flags, ticket: e.target.value } }))}
              />
            </label>
          )}
        </div>
      )}
      <details className="technical">
        <summary>Technical details ({s.fields.length} e-ticket fields, raw row)</summary>
        {s.fields.length > 0 && (
          <div className="table-wrap">
            <table className="grid fields">
              <thead>
                <tr>
                  <th scope="col">e-ticket field</th>
                  <th scope="col">Value sent</th>
                  <th scope="col">From column</th>
                  <th scope="col">Raw value</th>
                </tr>
              </thead>
              <tbody>
                {s.fields.map((f) => (
                  <tr key={f.path}>
                    <th scope="row" className="mono" data-label="Field">
                      {f.path}
                    </th>
                    <td data-label="Value sent">{f.value === null ? <span className="muted">empty</span> : String(f.value)}</td>
                    <td data-label="From column" className="muted">
                      {f.source}
                    </td>
                    <td data-label="Raw value" className="mono">
                      {f.raw ?? ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <RawRow raw={s.raw} />
      </details>
    </section>
  );
}

function RawRow({ raw }: { raw: Record<string, unknown> }) {
  return (
    <div className="table-wrap">
      <table className="grid raw">
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Raw value</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(raw).map(([k, v]) => (
            <tr key={k}>
              <th scope="row" className="mono" data-label="Column">
                {k}
              </th>
              <td className="mono raw" data-label="Raw value">
                {v === null ? <span className="muted">null</span> : (JSON.stringify(v) ?? String(v))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
