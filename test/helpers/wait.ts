// Waiting for a condition with a deadline — never a fixed sleep. The one polling helper of the tests.

/**
 * Polls `fn` every `everyMs` until it returns a truthy value (returned) or `timeoutMs` passes
 * (throws, naming `what` and the last error `fn` threw). `what` may be a function, read only on
 * timeout, to describe the state at that moment (the last terminal frame, a log tail).
 */
export async function waitFor<T>(
  what: string | (() => string),
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const said = typeof what === 'function' ? what() : what;
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${said}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The same, answering false on timeout instead of throwing (for a test that reports what it saw). */
export function waitedFor(fn: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  return waitFor('a condition', fn, timeoutMs, everyMs).then(
    () => true,
    () => false,
  );
}
