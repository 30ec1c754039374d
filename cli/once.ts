// One full pass of every given profile, printed, then exit 0 (complete) or 1: `outpost run --once`
// and `outpost sync` when no daemon runs. A pass that makes no progress for `giveUpMs` (default 2 min:
// the API or the database away) gives up with exit 1 and the reason.
import type { Profile } from '../core/config/schema.js';
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
  else
    for (const r of results) {
      const s = r.summary;
      process.stdout.write(
        r.ok && s
          ? `${r.profile}: complete (run ${s.runId}) — read ${s.read}, created ${s.created}, updated ${s.updated}, unchanged ${s.unchanged}, filtered ${s.filtered}, rejected ${s.rejected}\n`
          : `${r.profile}: failed — ${r.error ?? `${s?.errors} errors`}\n`,
      );
    }
  process.exit(results.every((r) => r.ok) ? EXIT.ok : EXIT.failure);
}
