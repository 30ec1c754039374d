// Test-only entry point: the `outpost` CLI with a crash point between the API's acknowledgement of a
// batch and the local commit. The chaos suite runs the daemon through it to prove a crash there
// loses nothing; production code has no such hook (only the injectable `afterAck`).
//
// - OUTPOST_TEST_CRASH_AFTER_ACK: a probability 0..1; after each acknowledged batch the process
//   kills itself with SIGKILL with this probability. Unset or 0: the plain CLI.
// - OUTPOST_TEST_CRASH_SEED: makes the draws replayable; without it they are random.
import { installAfterAckHook } from '../../core/engine/daemon.js';
import { prng } from '../../core/random.js';

const p = Number(process.env.OUTPOST_TEST_CRASH_AFTER_ACK ?? '');
if (p > 0) {
  const seed = Number(process.env.OUTPOST_TEST_CRASH_SEED ?? NaN);
  const rand = Number.isNaN(seed) ? Math.random : prng(seed);
  process.stderr.write(
    `OUTPOST_TEST_CRASH_AFTER_ACK=${p}: this process will kill itself between acknowledgements and commits (test only).\n`,
  );
  installAfterAckHook(() => {
    if (rand() < p) process.kill(process.pid, 'SIGKILL');
  });
}

await import('../../cli/main.js');
