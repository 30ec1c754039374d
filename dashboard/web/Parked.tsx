// Parked tickets of one profile and kind (filtered / skipped / rejected), each with its reason, and
// the way back: Resend one ticket or every ticket of the kind (admin link only). A resent ticket is
// read again by key on the next pass, mapped anew and, when valid, sent with a fresh key.
import { useEffect, useState } from 'react';
import type { ParkedTicket } from '../../core/state/store.js';
import { postJson, useCsrf, useJson } from './api.js';
import { formatCount, formatStamp } from './format.js';
import { go, parkedHref, PARKED_KINDS, type ParkedKind } from './route.js';

interface ParkedReply {
  profile: string;
  kind: ParkedKind;
  offset: number;
  limit: number;
  total: number;
  tickets: ParkedTicket[];
}

const WHAT: Record<ParkedKind, string> = {
  filtered: 'could not be mapped to an e-ticket (fix the row or the mapping, then resend)',
  skipped: 'were skipped by a skip rule of the mapping (never sent unless the rule changes or you resend)',
  rejected: 'were refused by the e-ticketing service (see its reason, then resend)',
};

const PAGE = 100;

export function ParkedPage({ profile, kind, reviewer }: { profile: string; kind: ParkedKind; reviewer: boolean }) {
  const csrf = useCsrf();
  const [offset, setOffset] = useState(0);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [nonce, setNonce] = useState(0);
  useEffect(() => setOffset(0), [profile, kind]);
  const { data, error } = useJson<ParkedReply>(
    `/api/profiles/${encodeURIComponent(profile)}/parked?${new URLSearchParams({ kind, offset: String(offset), limit: String(PAGE) })}`,
    nonce,
    'The parked tickets could not be read.',
  );

  const resend = async (body: { kind: ParkedKind } | { tickets: string[] }) => {
    setBusy(true);
    setNote(null);
    try {
      const r = await postJson<{ message: string }>(csrf, `/api/profiles/${encodeURIComponent(profile)}/resend`, body);
      setNote(r.message);
      setNonce((n) => n + 1);
    } catch (e) {
      setNote(e instanceof Error ? e.message : 'The resend was refused.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <p className="crumbs">
        <a href="#/">← Overview</a>
      </p>
      <div className="page-head">
        <h2 id="page-title">
          Parked tickets <span className="sub">{profile}</span>
        </h2>
      </div>
      <nav className="tabs" aria-label="Kind of parked ticket">
        {PARKED_KINDS.map((k) => (
          <a
            key={k}
            href={parkedHref(profile, k)}
            aria-current={k === kind ? 'page' : undefined}
            onClick={(e) => (e.preventDefault(), go(parkedHref(profile, k), true))}
          >
            {k}
          </a>
        ))}
      </nav>
      {error && <p className="banner">{error.message}</p>}
      {data && (
        <>
          <p className="hint" data-testid="parked-total">
            {formatCount(data.total)} ticket{data.total === 1 ? '' : 's'} {WHAT[kind]}.
          </p>
          {!reviewer && data.total > 0 && (
            <p>
              <button type="button" className="primary" disabled={busy} onClick={() => void resend({ kind })} data-testid="resend-all">
                Resend all {formatCount(data.total)} {kind}
              </button>
            </p>
          )}
          <p aria-live="polite" className="note" data-testid="resend-note">
            {note ?? ''}
          </p>
          {data.tickets.length > 0 && (
            <ul className="parked-list" data-testid="parked-list">
              {data.tickets.map((t) => (
                <li key={t.ticketId} data-testid={`parked-${t.ticketNumber ?? t.ticketId}`}>
                  <div className="parked-what">
                    <strong>Ticket {t.ticketNumber ?? t.ticketId}</strong>
                    <span className="muted">
                      {t.ticketDate ? `ticket date ${t.ticketDate} · ` : ''}parked {formatStamp(t.parkedAt)}
                    </span>
                    <span className="error-text">{t.reason ?? 'no reason recorded'}</span>
                  </div>
                  {!reviewer && (
                    <button type="button" disabled={busy} onClick={() => void resend({ tickets: [t.ticketId] })}>
                      Resend
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {data.total > PAGE && (
            <nav className="pager" aria-label="Pages of parked tickets">
              <button type="button" disabled={offset === 0} onClick={() => setOffset((o) => Math.max(0, o - PAGE))}>
                ← Previous
              </button>
              <span className="muted">
                {formatCount(offset + 1)}–{formatCount(Math.min(data.total, offset + PAGE))} of {formatCount(data.total)}
              </span>
              <button type="button" disabled={offset + PAGE >= data.total} onClick={() => setOffset((o) => o + PAGE)}>
                Next →
              </button>
            </nav>
          )}
        </>
      )}
    </>
  );
}
