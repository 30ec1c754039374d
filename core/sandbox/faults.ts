// Fault injection for the sandbox's batch endpoint. Decisions come from a seeded PRNG so a run with
// the same seed and the same request order sees the same faults (chaos tests can replay a failure).
import { z } from 'zod';
import type { SandboxFaults } from './server.js';
import { prng } from '../random.js';

const rate = z.number().min(0).max(1);

/** What `PUT /v1/_sandbox/faults` accepts (the same shape as `SandboxFaults`). */
export const faultsSchema = z.strictObject({
  errorRate: rate.optional(),
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  dropRate: rate.optional(),
  throttleRate: rate.optional(),
  retryAfter: z.string().min(1).max(64).optional(),
  timeoutRate: rate.optional(),
  seed: z.number().int().optional(),
});

export type FaultDecision =
  { kind: 'none' } | { kind: 'drop' } | { kind: 'throttle'; retryAfter: string } | { kind: 'error' } | { kind: 'timeout' };

export class FaultPlan {
  private faults: SandboxFaults = {};
  private rand: () => number = prng(1);

  constructor(faults: SandboxFaults = {}) {
    this.set(faults);
  }

  /** Replace the faults; the PRNG restarts from the seed so a given setting always replays the same way. */
  set(faults: SandboxFaults): void {
    this.faults = { ...faults };
    this.rand = prng(faults.seed ?? 1);
  }

  get(): SandboxFaults {
    return { ...this.faults };
  }

  latencyMs(): number {
    return this.faults.latencyMs ?? 0;
  }

  /**
   * Draw the fault for one batch request. Always draws the same number of values per request, so
   * changing one rate does not shift which requests the other faults land on.
   */
  decide(): FaultDecision {
    const f = this.faults;
    const [rDrop, rThrottle, rError, rTimeout] = [this.rand(), this.rand(), this.rand(), this.rand()];
    if (rDrop < (f.dropRate ?? 0)) return { kind: 'drop' };
    if (rThrottle < (f.throttleRate ?? 0)) return { kind: 'throttle', retryAfter: f.retryAfter ?? '1' };
    if (rError < (f.errorRate ?? 0)) return { kind: 'error' };
    if (rTimeout < (f.timeoutRate ?? 0)) return { kind: 'timeout' };
    return { kind: 'none' };
  }
}
