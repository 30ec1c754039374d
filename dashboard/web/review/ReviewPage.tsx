// Review (the customer review job): plant staff pull sample tickets, hold each next to its paper
// ticket, mark each printed field as matching or wrong right at the ticket, then sign off with
// their name and print or save the result. The sign-off is a POST with the CSRF token; the server
// records exactly the samples it served.
import { useEffect, useMemo, useState } from 'react';
import type { ReviewSummary } from '../../../core/review/store.js';
import type { DashboardSample, DashboardSamples, ReviewSignOff } from '../../review.js';
import { ApiError, getJson, postJson, useCsrf } from '../api.js';
import { formatStamp } from '../format.js';
import { ProfileSelect } from '../ProfileSelect.js';
import { EMPTY, keyOf, signOffTicket, verdictOf, type Decision } from './decisions.js';
import { ExportButtons, PastReviews } from './PastReviews.js';
import { SampleCard } from './SampleCard.js';

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
        setUnavailable(
          e instanceof ApiError && e.status === 501
            ? 'Sample review is not available in this process.'
            : e instanceof Error
              ? e.message
              : 'The request failed.',
        );
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
      const d = decisions[keyOf(s)] ?? EMPTY;
      const v = verdictOf(s, d);
      if (v === 'approved') approved++;
      if (v === 'flagged') flagged++;
      missingComments += Object.values(d.flags).filter((c) => !c.trim()).length;
    }
    return { approved, flagged, missingComments, open: (samples?.samples.length ?? 0) - approved - flagged };
  }, [samples, decisions]);

  const canSign =
    !!samples && !saving && !saved && reviewer.trim() !== '' && tally.approved + tally.flagged > 0 && tally.missingComments === 0;

  const signOff = async () => {
    if (!samples) return;
    setSaving(true);
    setSignError(null);
    const body: ReviewSignOff = {
      profile: samples.profile,
      reviewer: reviewer.trim(),
      tickets: samples.samples.flatMap((s) => {
        const t = signOffTicket(s, decisions[keyOf(s)] ?? EMPTY);
        return t ? [t] : [];
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
        <h2 id="page-title">Review sample tickets</h2>
      </div>
      <p className="hint">
        Pull a few tickets, hold each one next to its paper ticket and mark every line. Then sign off with your name and print the result.
      </p>
      <form
        className="toolbar sample-form"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        {profiles.length > 1 && <ProfileSelect label="Plant" profiles={profiles} value={profile} onChange={setProfile} required />}
        <label>
          Ticket numbers{' '}
          <input
            type="text"
            value={numbers}
            onChange={(e) => setNumbers(e.target.value)}
            placeholder="1001, 1002"
            inputMode="numeric"
            autoComplete="off"
          />
        </label>
        <label>
          or the latest{' '}
          <input
            type="number"
            min={1}
            max={50}
            value={latest}
            onChange={(e) => setLatest(e.target.value)}
            disabled={numbers.trim() !== ''}
            className="narrow"
          />
        </label>
        <button type="submit" className="primary" disabled={loading || !profile}>
          {loading ? 'Loading…' : 'Load tickets'}
        </button>
      </form>
      <div aria-live="polite">{error && <p className="banner">{error}</p>}</div>
      {samples && (
        <>
          <p className="hint">
            {samples.samples.length} ticket{samples.samples.length === 1 ? '' : 's'} from {samples.profile}.
            {samples.notFound.length > 0 && ` Not found: ${samples.notFound.join(', ')}.`}
          </p>
          {samples.samples.map((s) => (
            <SampleCard key={keyOf(s)} sample={s} decision={decisions[keyOf(s)] ?? EMPTY} onChange={(f) => decide(s, f)} />
          ))}
          {samples.samples.length > 0 && (
            <section className="signoff" aria-labelledby="signoff-title">
              <h3 id="signoff-title">Sign off</h3>
              <p data-testid="review-tally">
                {tally.approved} approved · {tally.flagged} flagged · {tally.open} not checked
                {tally.missingComments > 0 &&
                  ` · ${tally.missingComments} wrong field${tally.missingComments === 1 ? '' : 's'} without what the paper says`}
              </p>
              <div className="toolbar">
                <label>
                  Your name{' '}
                  <input
                    type="text"
                    value={reviewer}
                    onChange={(e) => setReviewer(e.target.value)}
                    maxLength={100}
                    autoComplete="name"
                    required
                  />
                </label>
                <button type="button" className="primary" disabled={!canSign} onClick={() => void signOff()}>
                  {saving ? 'Recording…' : saved ? 'Signed off' : 'Sign off'}
                </button>
              </div>
              <div aria-live="polite">
                {signError && <p className="banner">{signError}</p>}
                {saved && (
                  <div className="done" data-testid="review-saved">
                    <p>
                      Review {saved.id} recorded by {saved.reviewer} at {formatStamp(saved.reviewedAt)}: {saved.approved} approved,{' '}
                      {saved.flagged} flagged.
                    </p>
                    <ExportButtons id={saved.id} />
                  </div>
                )}
              </div>
            </section>
          )}
        </>
      )}
      {info && <PastReviews reviews={info.reviews} />}
    </>
  );
}
