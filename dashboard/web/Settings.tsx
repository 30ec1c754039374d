// Settings (admin link only): where this install keeps its files, the dashboard's address and
// links, and each profile's schedule and plant zone. Read only: links are made and rotated from
// the command line, so a secret never travels over HTTP.
import { useEffect, useState } from 'react';
import type { DashboardSettings } from '../routes/settings.js';
import { ApiError, getJson } from './api.js';

export function SettingsPage() {
  const [data, setData] = useState<DashboardSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    getJson<DashboardSettings>('/api/settings', abort.signal)
      .then(setData)
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(e instanceof ApiError ? e.message : 'The settings could not be read.');
      });
    return () => abort.abort();
  }, []);
  return (
    <>
      <h2 id="page-title">Settings</h2>
      {error && <p className="banner">{error}</p>}
      {data && (
        <>
          <section className="card" aria-labelledby="install-title">
            <h3 id="install-title">This install</h3>
            <dl className="summary">
              <div>
                <dt>Home folder</dt>
                <dd className="mono">{data.home}</dd>
              </div>
              <div>
                <dt>Config file</dt>
                <dd className="mono">{data.configFile ?? '—'}</dd>
              </div>
              <div>
                <dt>Dashboard port</dt>
                <dd>
                  {data.port} (kept for this home folder; change it with <code>outpost dashboard --port N</code>)
                </dd>
              </div>
              <div>
                <dt>Reviewer link</dt>
                <dd>
                  {data.reviewerLink ? 'made' : 'not made yet'} — print it with <code>outpost dashboard --review-link</code>; rotate a link
                  with <code>--new-link</code>
                </dd>
              </div>
            </dl>
          </section>
          <div className="table-wrap">
            <table className="grid" data-testid="settings-profiles">
              <caption className="visually-hidden">Profiles</caption>
              <thead>
                <tr>
                  <th scope="col">Profile</th>
                  <th scope="col">Schedule</th>
                  <th scope="col">Plant zone</th>
                  <th scope="col">Source</th>
                  <th scope="col">Template</th>
                </tr>
              </thead>
              <tbody>
                {data.profiles.map((p) => (
                  <tr key={p.name}>
                    <th scope="row" data-label="Profile">
                      {p.name}
                    </th>
                    <td data-label="Schedule">
                      every {p.every}
                      {p.paused && <span className="badge badge-warn"> paused</span>}
                    </td>
                    <td data-label="Plant zone">{p.timeZone}</td>
                    <td data-label="Source">
                      {p.driver} · <span className="mono">{p.table}</span>
                    </td>
                    <td data-label="Template" className="mono">
                      {p.template}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
