// One full pass of every given profile, printed, then exit 0 (complete) or 1: `outpost run --once`
// and `outpost sync` when no daemon runs. A pass that ends in 'mapping problem' or with tickets
// rejected by the API exits 1 too, with the reason and the way back. A pass that makes no progress for `giveUpMs` (default 2 min:
// the API or the database away) gives up with exit 1 and the reason.
import type { Profile } from '../core/config/schema.js';
import type { OnceResult } from '../core/engine/daemon.js';
import type { Logger } from '../core/log.js';
import { EXIT, fail, printJson } from './output.js';

export async function runOnceAndExit(opts: {
  profiles: Profile[];
  home: string;
  configFile: string;
  json?: boolean;
  log?: Logger;
  giveUpMs?: number;
}): Promise<never> {
  const { Daemon } = await import('../core/engine/daemon.js');
  let daemon: InstanceType<typeof Daemon>;
  try {
    daemon = new Daemon({ profiles: opts.profiles, home: opts.home, log: opts.log, heartbeatMs: 0, configFile: opts.configFile });
  } catch (e) {
    fail((e as Error).message);
  }
  const results = await daemon.runOnce({ giveUpMs: opts.giveUpMs });
  await daemon.stop();
  if (opts.json) printJson(results);
  else for (const r of results) process.stdout.write(onceLines(r));
  process.exit(results.every(delivered) ? EXIT.ok : EXIT.failure);
}

/**
 * A pass that ran to its end but leaves the profile unhealthy (most rows filtered by the mapping,
 * tickets parked as rejected by the API) is not a success: a scheduled `run --once` must not report
 * green while tickets wait (docs/design.md §3, "An honest state").
 */
export function delivered(r: OnceResult): boolean {
  return r.ok && (r.health === undefined || r.health.state === 'idle');
}

/** The lines `run --once` prints for one profile: the counts, then what is parked and the way back. */
export function onceLines(r: OnceResult): string {
  const s = r.summary;
  if (!r.ok || !s) return `${r.profile}: failed — ${r.error ?? `${s?.errors} errors`}\n`;
  const counts = `read ${s.read}, created ${s.created}, updated ${s.updated}, unchanged ${s.unchanged}, filtered ${s.filtered}, skipped ${s.skipped}, rejected ${s.rejected}`;
  const head = delivered(r) ? 'complete' : r.health!.state;
  let out = `${r.profile}: ${head} (run ${s.runId}) — ${counts}\n`;
  if (!delivered(r) && r.health?.reason) out += `  ${r.health.reason}\n`;
  const p = r.parked;
  if (p && p.filtered + p.skipped + p.rejected > 0)
    out += `  parked in all: filtered ${p.filtered}, skipped ${p.skipped}, rejected ${p.rejected} — "outpost reconcile --profile ${r.profile}" accounts for every row\n`;
  return out;
}
