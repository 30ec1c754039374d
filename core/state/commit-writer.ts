// Large commits of the state store, written by a worker thread (commit-worker.ts) while the daemon's
// main thread goes on: the ledger upsert of an acknowledged batch of 500 tickets is about a fifth of
// the main thread's work in a backfill (README, Numbers), and a 2-core machine has the other core
// mostly free. Ordering and durability are those of the synchronous commit:
// - Commits are applied one by one, in the order they were posted, each in its own transaction
//   (StateStore.commitAt). After a crash the database holds a prefix of them, the same as if the
//   process had died before the later ones: acknowledged tickets not yet committed are read again
//   from the last committed watermark and sent again under the same Idempotency-Key (docs/design.md §3).
// - A failed commit poisons the writer: every commit posted after it is dropped (a later watermark
//   must never land without the ledger rows before it), and the failure is thrown to the main thread
//   at its next use of the store, as the synchronous commit would have thrown it.
// - Every other use of the store first waits for the posted commits (StateStore.flush), so it reads
//   what was committed; only the ledger read of the next page does not, when none of its tickets is
//   in a pending commit (a page's tickets are not in the batch before it during a backfill).
// The worker is started on the first large commit and stops after IDLE_MS without one, so an idle
// daemon does not keep a second JavaScript thread (and its memory) alive.
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { CommitArgs } from './store.js';

/** Fewer entries than this are committed on the main thread (a poll's few tickets: no worker for them). */
export const MIN_DEFERRED_ENTRIES = 100;
/** The worker stops after this long without a commit to write. */
export const IDLE_MS = 10_000;
/** A commit that makes no progress for this long is reported as a failure (a stuck disk, a dead worker). */
const STALL_MS = 120_000;

/** Slots of the shared state: commits done so far, and the sequence number of a failed one (0: none). */
const DONE = 0;
const FAILED = 1;

export interface CommitMessage {
  type: 'commit';
  seq: number;
  args: CommitArgs;
  /** The commit's time, taken on the main thread (its clock; the worker's clock is not the store's). */
  now: string;
}
export type WriterMessage = CommitMessage | { type: 'reset' } | { type: 'close' } | { type: 'maxPages'; pages: number };
export interface WriterFailure {
  seq: number;
  message: string;
  code: string | null;
}
export interface WriterData {
  file: string;
  state: SharedArrayBuffer;
  failures: MessagePort;
}

/** The error of a failed commit as the synchronous commit would have thrown it (message and SQLite code). */
export class CommitFailedError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'CommitFailedError';
  }
}

export class CommitWriter {
  private worker: Worker | null = null;
  private failures: MessagePort | null = null;
  private readonly state = new Int32Array(new SharedArrayBuffer(8));
  private posted = 0;
  /** The ticket ids each not-yet-done commit touches, oldest first. */
  private pending: Array<{ seq: number; ids: Set<string> }> = [];
  private idle: NodeJS.Timeout | null = null;

  /** The page limit set by StateStore.setMaxPageCount, given to every worker started. */
  private maxPages: number | null = null;

  constructor(private readonly file: string) {}

  /** The worker's connection gets the same page limit as the store's (StateStore.setMaxPageCount). */
  setMaxPages(pages: number): void {
    this.maxPages = pages;
    this.worker?.postMessage({ type: 'maxPages', pages } satisfies WriterMessage);
  }

  /** Queue a commit for the worker. Throws a failure of an earlier commit not reported yet. */
  post(args: CommitArgs, now: string, ids: Set<string>): void {
    this.throwFailure();
    const worker = this.ensureWorker();
    const seq = ++this.posted;
    worker.postMessage({ type: 'commit', seq, args, now } satisfies CommitMessage);
    this.pending.push({ seq, ids });
    this.armIdle();
  }

  /** Whether a commit not yet done touches one of these tickets. */
  touches(ticketIds: readonly string[]): boolean {
    const done = Atomics.load(this.state, DONE);
    while (this.pending.length && this.pending[0].seq <= done) this.pending.shift();
    if (!this.pending.length) return false;
    for (const p of this.pending) for (const id of ticketIds) if (p.ids.has(id)) return true;
    return false;
  }

  /** Wait until every posted commit is done; throw the failure of one of them (once). */
  flush(): void {
    let seen = Atomics.load(this.state, DONE);
    let since = Date.now();
    while (seen < this.posted) {
      // Blocks this thread until the worker counts another commit done (Node allows Atomics.wait on
      // the main thread); a commit takes milliseconds, so this is the synchronous commit's wait.
      Atomics.wait(this.state, DONE, seen, 1_000);
      const now = Atomics.load(this.state, DONE);
      if (now !== seen) {
        seen = now;
        since = Date.now();
      } else if (Date.now() - since > STALL_MS) {
        this.stop();
        throw new CommitFailedError(
          `The state database writer made no progress for ${STALL_MS / 1000} s; the tickets acknowledged since the last commit are sent again.`,
          null,
        );
      }
    }
    this.pending = [];
    this.throwFailure();
  }

  /** Write what is posted, then stop the worker (the store closes its own connection). */
  close(): void {
    try {
      this.flush();
    } finally {
      this.stop();
    }
  }

  private throwFailure(): void {
    if (Atomics.load(this.state, FAILED) === 0) return;
    const got = this.failures ? receiveMessageOnPort(this.failures) : undefined;
    const f = got?.message as WriterFailure | undefined;
    Atomics.store(this.state, FAILED, 0);
    // Commits posted from now on are written again (the worker drops those before this message).
    this.worker?.postMessage({ type: 'reset' } satisfies WriterMessage);
    throw new CommitFailedError(f?.message ?? 'A commit of the state database failed.', f?.code ?? null);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const { port1, port2 } = new MessageChannel();
    const data: WriterData = { file: this.file, state: this.state.buffer as SharedArrayBuffer, failures: port2 };
    // A small heap: the worker holds one commit's rows at a time.
    const worker = new Worker(new URL('./commit-worker.js', import.meta.url), {
      workerData: data,
      transferList: [port2],
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 },
      stdout: false,
      stderr: false,
    });
    // It never keeps the process alive by itself: the daemon flushes before it exits (close()).
    worker.unref();
    worker.on('error', (e) => {
      // A worker that died (out of memory, a bug) fails the commits it did not write.
      if (this.worker === worker) {
        Atomics.store(this.state, FAILED, -1);
        port1.postMessage({ seq: -1, message: `The state database writer stopped: ${e.message}`, code: null } satisfies WriterFailure);
      }
    });
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      // Commits it will never write are counted done, and failed if there were any.
      const done = Atomics.load(this.state, DONE);
      if (done < this.posted) {
        if (Atomics.load(this.state, FAILED) === 0) {
          Atomics.store(this.state, FAILED, -1);
          port1.postMessage({ seq: -1, message: 'The state database writer stopped before writing every commit.', code: null });
        }
        Atomics.store(this.state, DONE, this.posted);
      }
      this.worker = null;
    });
    port1.unref();
    if (this.maxPages !== null) worker.postMessage({ type: 'maxPages', pages: this.maxPages } satisfies WriterMessage);
    this.failures = port1;
    this.worker = worker;
    return worker;
  }

  private armIdle(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      this.idle = null;
      // Stopped only once everything posted is written (else it is looked at again later).
      if (Atomics.load(this.state, DONE) >= this.posted && Atomics.load(this.state, FAILED) === 0) this.stop();
      else this.armIdle();
    }, IDLE_MS);
    this.idle.unref();
  }

  private stop(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    worker.postMessage({ type: 'close' } satisfies WriterMessage);
  }
}
