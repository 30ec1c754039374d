// The `outpost` command (loaded by main.ts once the Node version is known to be good). Subcommands
// load their modules lazily so `outpost --version` stays fast.
//
// Exit codes (README): 0 success, 1 failure, 2 bad usage or config, 3 daemon not running. Commander's
// own errors (unknown command or option, missing argument) are usage errors: 2.
import { Command, CommanderError } from 'commander';
import { resolve } from 'node:path';
import { VERSION } from '../core/version.js';
import { register as dashboard } from './commands/dashboard.js';
import { register as demo } from './commands/demo.js';
import { register as doctor } from './commands/doctor.js';
import { register as mapping } from './commands/mapping.js';
import { register as pause } from './commands/pause.js';
import { register as preview } from './commands/preview.js';
import { register as profiles } from './commands/profiles.js';
import { register as reconcile } from './commands/reconcile.js';
import { register as reload } from './commands/reload.js';
import { register as resend } from './commands/resend.js';
import { register as resume } from './commands/resume.js';
import { register as review } from './commands/review.js';
import { register as run } from './commands/run.js';
import { register as sandbox } from './commands/sandbox.js';
import { register as schema } from './commands/schema.js';
import { register as service } from './commands/service.js';
import { register as setup } from './commands/setup.js';
import { register as start } from './commands/start.js';
import { register as status } from './commands/status.js';
import { register as sync } from './commands/sync.js';
import { register as validate } from './commands/validate.js';
import { register as logs } from './commands/logs.js';
import { EXIT } from './output.js';

// Every file and folder Outpost creates is private to the account it runs as (0600 / 0700): the
// state database and its WAL hold API error text and ticket data, the run folder the dashboard link.
process.umask(0o077);

const program = new Command();
program
  .name('outpost')
  .description('Onboards a plant ticket database to a cloud e-ticketing service and keeps it in sync.')
  .version(VERSION, '-V, --version')
  .showHelpAfterError('(run with --help for usage)')
  .option('--home <dir>', 'the Outpost home folder (default: OUTPOST_HOME, else the per-OS default; the demo runs in <home>/demo)')
  .configureOutput({ outputError: (str, write) => write(str) })
  .exitOverride()
  // --home is the same as OUTPOST_HOME for every command (and for the daemon a command starts).
  .hook('preAction', () => {
    const dir = program.opts<{ home?: string }>().home;
    if (dir) process.env.OUTPOST_HOME = resolve(dir);
  });

for (const register of [
  setup,
  demo,
  validate,
  preview,
  mapping,
  review,
  schema,
  run,
  start,
  status,
  sync,
  pause,
  resume,
  reload,
  resend,
  reconcile,
  dashboard,
  logs,
  doctor,
  profiles,
  service,
  sandbox,
])
  register(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? EXIT.ok : EXIT.usage);
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exit(EXIT.failure);
});
