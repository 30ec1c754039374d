// The worker thread of CommitWriter (commit-writer.ts): its own connection to the state database,
// applying the posted commits in order, each as StateStore.commitAt does it on the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { StateStore } from './store.js';
import type { WriterData, WriterFailure, WriterMessage } from './commit-writer.js';

const data = workerData as WriterData;
const state = new Int32Array(data.state);
const store = new StateStore(data.file);
/** After a failed commit, the ones posted after it are dropped until the main thread has seen the failure. */
let poisoned = false;

parentPort!.on('message', (m: WriterMessage) => {
  if (m.type === 'close') {
    store.close();
    data.failures.close();
    parentPort!.close();
    return;
  }
  if (m.type === 'maxPages') {
    store.setMaxPageCount(m.pages);
    return;
  }
  if (m.type === 'reset') {
    poisoned = false;
    return;
  }
  if (!poisoned) {
    try {
      store.commitAt(m.args, m.now);
    } catch (e) {
      poisoned = true;
      const err = e as Error & { code?: unknown };
      // The failure is queued before the commit counts as done, so the main thread finds it then.
      data.failures.postMessage({
        seq: m.seq,
        message: err.message,
        code: typeof err.code === 'string' ? err.code : null,
      } satisfies WriterFailure);
      Atomics.store(state, 1, m.seq);
    }
  }
  Atomics.store(state, 0, m.seq);
  Atomics.notify(state, 0);
});
