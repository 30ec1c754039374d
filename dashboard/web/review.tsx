// Review (docs/design.md job 2): plant staff pull sample tickets, compare each mapped e-ticket with its
// paper ticket — field by field against the raw database values, and drawn like the paper — then
// approve tickets or flag fields with a comment, and sign off with their name. The sign-off is a
// POST with the CSRF token; the server records exactly the samples it served.
import { useEffect, useMemo, useState } from 'react';
import type { PaperModel, PaperRow } from '../../core/review/render.js';
import { showsField } from '../../core/review/render.js';
import type { ReviewSummary } from '../../core/review/store.js';
import type { DashboardSample, DashboardSamples, ReviewSignOff } from '../review.js';
import { ApiError, getJson, postJson, useCsrf } from './api.js';
import { formatStamp } from './format.js';

interface Decision {
  approved: boolean;
  /** Flagged field path → comment. */
  flags: Record<string, string>;
  comment: string;
}

const EMPTY: Decision = { approved: false, flags: {}, comment: '' };
const keyOf = (s: DashboardSample) => `${s.ticketId}\u0000${s.revision ?? ''}`;

export function ReviewPage({ profiles: liveProfiles }: { profiles: string[] }) {
  const csrf = useCsrf();
  const [info, setInfo] = useState<{ profiles: string[]; reviews: ReviewSummary[] } | null>(null);
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const [profile, setProfile] = useState('');
  const [latest, setLatest] = useState('5');
  const [numbers, setNumbers] = useState('');
  const [samples, setSamples] = useState<DashboardSamples | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [decisions, setDecisions] = useState<Record<string, Decision>>({});
  const [reviewer, setReviewer] = useState('');
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<ReviewSummary | null>(null);
  const [signError, setSignError] = useState<string | null>(null);
  const [nonce, setNonce] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    getJson<{ profiles: string[]; reviews: ReviewSummary[] }>('/api/review', abort.signal)
      .then((r) => {
        setInfo(r);
        setProfile((p) => p || r.profiles[0] || '');
      })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        setUnavailable(e instanceof ApiError && e.status === 501 ? 'Sample review is not available in this process.' : e instanceof Error ? e.message : 'The request failed.');
      });
    return () => abort.abort();
  }, [nonce]);

  const profiles = info?.profiles.length ? info.profiles : liveProfiles;

  const load = async () => {
    setLoading(true);
    setError(null);
    setSaved(null);
    try {
      const q = new URLSearchParams({ profile });
      if (numbers.trim()) q.set('numbers', numbers.trim());
      else q.set('latest', latest || '5');
      const r = await getJson<DashboardSamples>(`/api/review/samples?${q}`);
      setSamples(r);
      setDecisions({});
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The samples could not be loaded.');
    } finally {
      setLoading(false);
    }
  };

  const decide = (s: DashboardSample, change: (d: Decision) => Decision) => {
    setSaved(null); // a changed decision is a new sign-off
    setDecisions((all) => ({ ...all, [keyOf(s)]: change(all[keyOf(s)] ?? EMPTY) }));
  };

  const tally = useMemo(() => {
    let approved = 0;
    let flagged = 0;
    let missingComments = 0;
    for (const s of samples?.samples ?? []) {
      const d = decisions[keyOf(s)];
      if (!d) continue;
      const flags = Object.values(d.flags);
      if (flags.length) flagged++;
      else if (d.approved) approved++;
      missingComments += flags.filter((c) => !c.trim()).length;
    }
    return { approved, flagged, missingComments, open: (samples?.samples.length ?? 0) - approved - flagged };
  }, [samples, decisions]);

  const canSign = !!samples && !saving && !saved && reviewer.trim() !== '' && tally.approved + tally.flagged > 0 && tally.missingComments === 0;

  const signOff = async () => {
    if (!samples) return;
    setSaving(true);
    setSignError(null);
    const body: ReviewSignOff = {
      profile: samples.profile,
      reviewer: reviewer.trim(),
      tickets: samples.samples.flatMap((s) => {
        const d = decisions[keyOf(s)];
        if (!d) return [];
        const flags = Object.entries(d.flags).map(([field, comment]) => ({ field, comment: comment.trim() }));
        if (!flags.length && !d.approved) return [];
        return [{ ticketId: s.ticketId, revision: s.revision, verdict: flags.length ? ('flagged' as const) : ('approved' as const), flags, comment: d.comment.trim() || null }];
      }),
    };
    try {
      const r = await postJson<ReviewSummary>(csrf, '/api/review', body);
      setSaved(r);
      setNonce((n) => n + 1); // the list of recorded reviews
    } catch (e) {
      setSignError(e instanceof Error ? e.message : 'The review could not be recorded.');
    } finally {
      setSaving(false);
    }
  };

  if (unavailable) {
    return (
      <>
        <h2 id="page-title">Review</h2>
        <p className="empty">{unavailable}</p>
      </>
    );
  }

  return (
    <>
      <div className="page-head">
        <h2 id="page-title">Review</h2>
      </div>
      <p className="hint">
        Pull a few tickets, hold each one next to its paper ticket, approve it or flag the fields that are wrong, then sign off.
      </p>
      <form
        className="toolbar sample-form"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <label>
          Profile{' '}
          <select value={profile} onChange={(e) => setProfile(e.target.value)} required>
            {profiles.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Latest{' '}
          <input type="number" min={1} max={50} value={latest} onChange={(e) => setLatest(e.target.value)} disabled={numbers.trim() !== ''} className="narrow" />
        </label>
        <label>
          or ticket numbers{' '}
          <input type="text" value={numbers} onChange={(e) => setNumbers(e.target.value)} placeholder="1001, 1002" inputMode="numeric" autoComplete="off" />
        </label>
        <button type="submit" className="primary" disabled={loading || !profile}>
          {loading ? 'Loading…' : 'Load samples'}
        </button>
      </form>
      <div aria-live="polite">{error && <p className="banner">{error}</p>}</div>
      {samples && (
        <>
          <p className="hint">
            Template {samples.template}, table {samples.table}: {samples.samples.length} ticket{samples.samples.length === 1 ? '' : 's'}.
            {samples.notFound.length > 0 && ` Not found: ${samples.notFound.join(', ')}.`}
          </p>
          {samples.samples.map((s) => (
            <SampleView key={keyOf(s)} sample={s} decision={decisions[keyOf(s)] ?? EMPTY} onChange={(f) => decide(s, f)} />
          ))}
          {samples.samples.length > 0 && (
            <section className="signoff" aria-labelledby="signoff-title">
              <h3 id="signoff-title">Sign off</h3>
              <p>
                {tally.approved} approved · {tally.flagged} flagged · {tally.open} not reviewed
                {tally.missingComments > 0 && ` · ${tally.missingComments} flagged field${tally.missingComments === 1 ? '' : 's'} without a comment`}
              </p>
              <div className="toolbar">
                <label>
                  Reviewer name{' '}
                  <input type="text" value={reviewer} onChange={(e) => setReviewer(e.target.value)} maxLength={100} autoComplete="name" required />
                </label>
                <button type="button" className="primary" disabled={!canSign} onClick={() => void signOff()}>
                  {saving ? 'Recording…' : saved ? 'Signed off' : 'Sign off'}
                </button>
              </div>
              <div aria-live="polite">
                {signError && <p className="banner">{signError}</p>}
                {saved && (
                  <p className="done" data-testid="review-saved">
                    Review {saved.id} recorded for {saved.profile} by {saved.reviewer} at {formatStamp(saved.reviewedAt)}: {saved.approved} approved, {saved.flagged}{' '}
                    flagged. Export it with <code>outpost review export --profile {saved.profile} --html review.html</code>.
                  </p>
                )}
              </div>
            </section>
          )}
        </>
      )}
      {info && info.reviews.length > 0 && (
        <section aria-labelledby="past-title">
          <h3 id="past-title">Recorded reviews</h3>
          <div className="table-wrap">
            <table className="grid">
              <thead>
                <tr>
                  <th scope="col">Review</th>
                  <th scope="col">Profile</th>
                  <th scope="col">Reviewer</th>
                  <th scope="col">When</th>
                  <th scope="col" className="num">Approved</th>
                  <th scope="col" className="num">Flagged</th>
                </tr>
              </thead>
              <tbody>
                {info.reviews.map((r) => (
                  <tr key={r.id}>
                    <th scope="row" data-label="Review">
                      #{r.id}
                    </th>
                    <td data-label="Profile">{r.profile}</td>
                    <td data-label="Reviewer">{r.reviewer}</td>
                    <td data-label="When">{formatStamp(r.reviewedAt)}</td>
                    <td data-label="Approved" className="num">
                      {r.approved}
                    </td>
                    <td data-label="Flagged" className={r.flagged ? 'num count-bad' : 'num'}>
                      {r.flagged}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}

function SampleView({ sample: s, decision: d, onChange }: { sample: DashboardSample; decision: Decision; onChange: (f: (d: Decision) => Decision) => void }) {
  const flagged = Object.keys(d.flags);
  const title = `Ticket ${s.ticketNumber || s.ticketId}`;
  const id = `sample-${s.ticketId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const toggleFlag = (path: string, on: boolean) =>
    onChange((x) => {
      const flags = { ...x.flags };
      if (on) flags[path] = flags[path] ?? '';
      else delete flags[path];
      return { ...x, flags, approved: on ? false : x.approved };
    });
  const verdict = flagged.length ? 'flagged' : d.approved ? 'approved' : 'not reviewed';

  return (
    <section className="sample" aria-labelledby={id} data-testid={`sample-${s.ticketNumber}`}>
      <div className="sample-head">
        <h3 id={id}>
          {title} <span className="sub">{s.paper ? 'mapped' : 'filtered, not sent'}</span>
        </h3>
        <span className={`badge badge-${verdict === 'approved' ? 'ok' : verdict === 'flagged' ? 'bad' : 'neutral'}`}>{verdict}</span>
      </div>
      {s.problems.length > 0 && (
        <ul className="problems">
          {s.problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      )}
      <div className="side-by-side">
        <div className="fields-col">
          {s.fields.length > 0 ? (
            <div className="table-wrap">
              <table className="grid fields">
                <caption className="visually-hidden">{title}: mapped fields beside the raw values</caption>
                <thead>
                  <tr>
                    <th scope="col">eTicket field</th>
                    <th scope="col">Value sent</th>
                    <th scope="col">From column</th>
                    <th scope="col">Raw value</th>
                    <th scope="col">Flag</th>
                  </tr>
                </thead>
                <tbody>
                  {s.fields.map((f) => (
                    <tr key={f.path} className={f.path in d.flags ? 'flagged' : ''}>
                      <th scope="row" className="mono" data-label="Field">
                        {f.path}
                      </th>
                      <td data-label="Value sent">{f.value === null ? <span className="muted">empty</span> : String(f.value)}</td>
                      <td data-label="From column" className="muted">
                        {f.source}
                      </td>
                      <td data-label="Raw value" className="mono raw">
                        {f.raw ?? ''}
                      </td>
                      <td data-label="Flag">
                        <input type="checkbox" checked={f.path in d.flags} onChange={(e) => toggleFlag(f.path, e.target.checked)} aria-label={`Flag ${f.path}`} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <RawRow raw={s.raw} />
          )}
          {s.fields.length > 0 && (
            <details>
              <summary>Every column of the raw row</summary>
              <RawRow raw={s.raw} />
            </details>
          )}
        </div>
        {s.paper && <Paper model={s.paper} flagged={flagged} />}
      </div>
      <div className="decision">
        <label className="check">
          <input
            type="checkbox"
            checked={d.approved && flagged.length === 0}
            disabled={!s.paper || flagged.length > 0}
            onChange={(e) => onChange((x) => ({ ...x, approved: e.target.checked }))}
          />
          Matches the paper ticket (approve)
        </label>
        {!s.paper && (
          <label className="check">
            <input type="checkbox" checked={'ticket' in d.flags} onChange={(e) => toggleFlag('ticket', e.target.checked)} />
            Flag the whole ticket
          </label>
        )}
        {flagged.map((path) => (
          <label key={path} className="flag-comment">
            What is wrong with <span className="mono">{path}</span>?{' '}
            <input
              type="text"
              value={d.flags[path]}
              maxLength={2000}
              required
              aria-invalid={!d.flags[path].trim()}
              onChange={(e) => onChange((x) => ({ ...x, flags: { ...x.flags, [path]: e.target.value } }))}
              placeholder="e.g. paper says 24.5 tons"
            />
          </label>
        ))}
        <label className="flag-comment">
          Comment (optional){' '}
          <input type="text" value={d.comment} maxLength={2000} onChange={(e) => onChange((x) => ({ ...x, comment: e.target.value }))} />
        </label>
      </div>
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
                {v === null ? <span className="muted">null</span> : typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The mapped ticket drawn like the scale house's paper ticket; flagged fields highlighted. */
function Paper({ model: m, flagged }: { model: PaperModel; flagged: string[] }) {
  const hit = (paths: readonly string[]) => flagged.some((f) => showsField(paths, f));
  const rows = (rs: PaperRow[]) =>
    rs.length > 0 && (
      <table>
        <tbody>
          {rs.map((r, i) => (
            <tr key={i} className={hit(r.paths) ? 'flagged' : undefined}>
              <th scope="row">{r.label}</th>
              <td className={r.amount ? 'amount' : undefined}>{r.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  return (
    <article className="ticket" aria-label={`Ticket ${m.ticketNumber} as printed`}>
      <h4>{m.title}</h4>
      {m.subtitle.map((s, i) => (
        <p key={i} className="sub">
          {s}
        </p>
      ))}
      <hr />
      <div className="no">
        <span className={hit(['ticketNumber']) ? 'flagged' : undefined}>Ticket {m.ticketNumber}</span>
        <span className={hit(['issuedAt', 'issuedAtLocal']) ? 'flagged' : undefined}>{m.when}</span>
      </div>
      <div className="zone">{m.zone}</div>
      {m.voided && <div className={hit(['status', 'voidReason']) ? 'void flagged' : 'void'}>VOID{m.voidReason ? ` — ${m.voidReason}` : ''}</div>}
      <hr />
      {rows(m.parties)}
      {m.lines.map((l, i) => (
        <section key={i} className="line">
          <hr />
          <div className={hit(l.paths) ? 'line-head flagged' : 'line-head'}>{l.head}</div>
          {rows(l.rows)}
        </section>
      ))}
      {m.footer.length > 0 && (
        <>
          <hr />
          {rows(m.footer)}
        </>
      )}
      <hr />
      <div className="id">{m.id}</div>
    </article>
  );
}
