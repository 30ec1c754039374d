// The mapped ticket drawn like the scale house's paper ticket; flagged fields highlighted.
import type { PaperModel, PaperRow } from '../../../core/review/render.js';
import { showsField } from '../../../core/review/render.js';

export function Paper({ model: m, flagged }: { model: PaperModel; flagged: string[] }) {
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
      {m.voided && (
        <div className={hit(['status', 'voidReason']) ? 'void flagged' : 'void'}>VOID{m.voidReason ? ` — ${m.voidReason}` : ''}</div>
      )}
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
    </article>
  );
}
