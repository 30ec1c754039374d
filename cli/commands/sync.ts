// `outpost sync | pause | resume`: the schedule from the command line. Through the running daemon
// when there is one (so two processes never sync the same state); otherwise `sync` runs one manual
// pass here, like `outpost run --once`, and `pause` / `resume` record the choice for the daemon's
// next start. A pause persists across restarts; a sync while paused runs one pass and stays paused.
import type { Command } from 'commander';
import { askDaemon, observedHome, profilesOrExit } from '../context.js';
import { runOnceAndExit } from '../once.js';
import { EXIT, printJson } from '../output.js';

type Op = 'sync' | 'pause' | 'resume';

interface Options {
  config?: string;
  profile?: string;
  json?: boolean;
}

const DESCRIPTIONS: Record<Op, string> = {
  sync: 'sync now: one manual pass, through the running daemon or here when none runs (a paused profile stays paused)',
  pause: "pause a profile's schedule (kept across daemon restarts) until `outpost resume`",
  resume: "resume a paused profile's schedule",
};

export function registerControl(program: Command, op: Op): void {
  program
    .command(op)
    .description(DESCRIPTIONS[op])
    .option('--config <file>', 'config file (default: <home>/outpost.json)')
    .option('--profile <name>', 'only this profile (default: every profile)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: Options) => {
      const dir = await observedHome();
      const reply = await askDaemon(dir, { op, profile: opts.profile });
      if (reply) {
        if (opts.json) printJson({ ...reply, daemon: 'running' });
        else process.stdout.write(reply.message + '\n');
        process.exit(reply.ok ? EXIT.ok : EXIT.failure);
      }
      const loaded = await profilesOrExit(opts);
      if (op === 'sync') return runOnceAndExit({ profiles: loaded.profiles, home: dir, configFile: loaded.file, json: opts.json });
      const { setPaused, readPaused } = await import('../../core/engine/paused.js');
      const names = loaded.profiles.map((p) => p.name);
      const at = new Date().toISOString();
      for (const n of names) setPaused(dir, n, op === 'pause' ? at : null);
      const paused = readPaused(dir);
      const message =
        op === 'pause'
          ? `Paused ${names.join(', ')}; the daemon is not running, and stays paused for ${names.length === 1 ? 'it' : 'them'} when it starts ("outpost resume" to undo).`
          : `Resumed ${names.join(', ')}; the daemon is not running: start it with "outpost start".`;
      if (opts.json) printJson({ ok: true, message, daemon: 'not running', paused: Object.keys(paused) });
      else process.stdout.write(message + '\n');
      process.exit(EXIT.ok);
    });
}

export function register(program: Command): void {
  registerControl(program, 'sync');
}
