// Entry to the Ink setup wizard. Ink (and its chalk) load lazily, after the colour decision, and only
// when both ends are terminals: Ink needs raw mode on stdin.
import type { SetupDraft, SetupServices } from '../../core/setup/services.js';
import type { SavedDraft } from '../../core/setup/draft-store.js';
import type { StepId } from './format.js';

export interface WizardOptions {
  services: SetupServices;
  /** Prefilled values; in the demo every field is filled. */
  initial: SetupDraft;
  /** Show the "demo plant" banner. */
  demo?: boolean;
  /** A draft saved by an earlier run, offered for resuming. */
  resume?: SavedDraft | null;
  /** After every step: the draft so far (the caller saves it without secrets). */
  onStep?(draft: SetupDraft, step: StepId): void;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

export type WizardResult = { status: 'done'; draft: SetupDraft; dashboardUrl: string; configPath: string } | { status: 'cancelled' };

export function canRunInk(stdin: NodeJS.ReadStream = process.stdin, stdout: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stdin.isTTY) && Boolean(stdout.isTTY);
}

export async function runWizard(opts: WizardOptions): Promise<WizardResult> {
  // Ink's bundled chalk ignores NO_COLOR but honours FORCE_COLOR=0; it reads it once, when it loads.
  if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';
  const [{ render }, { createElement }, { App }] = await Promise.all([import('ink'), import('react'), import('./App.js')]);
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;

  let result: WizardResult = { status: 'cancelled' };
  let unmount: (() => void) | undefined;
  let endedEarly = false;
  const onDone = (r: WizardResult) => {
    result = r;
    // Let Ink paint the closing line before it unmounts.
    setImmediate(() => (unmount ? unmount() : (endedEarly = true)));
  };
  const instance = render(
    createElement(App, {
      services: opts.services,
      initial: opts.initial,
      demo: opts.demo,
      resume: opts.resume,
      onStep: opts.onStep,
      onDone,
    }),
    {
      stdout,
      stdin,
      // Ctrl+C is the App's to handle, so it resolves as "cancelled" instead of exiting the process.
      exitOnCtrlC: false,
      // Ink treats any CI=true environment as non-interactive (final frame only); a TTY here is a person.
      interactive: Boolean(stdout.isTTY),
    },
  );
  unmount = instance.unmount;
  if (endedEarly) instance.unmount();
  await instance.waitUntilExit();
  return result;
}
