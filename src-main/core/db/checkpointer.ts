import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Folds the WAL back into the database from a worker thread with its own connection, so the
 * main thread never pays for a checkpoint inside a commit (SQLite's automatic checkpoint runs in
 * whichever commit crosses 1,000 pages: a few milliseconds, at random, on the hot path).
 *
 * The worker runs a PASSIVE checkpoint every `intervalMs`, and only PASSIVE: RESTART and TRUNCATE
 * take SQLite's writer lock, and a transaction of the app that has read and then writes fails at
 * once with SQLITE_BUSY while another connection holds it (SQLite does not wait when a reader asks
 * to become the writer: webhook deliveries answered 500 under load). The WAL file is cut back by
 * the app's own connection instead (journal_size_limit, see openDatabase) when its next commit
 * restarts the log. The caller turns automatic checkpoints off only once the worker is running.
 */
export interface Checkpointer {
  stop(): Promise<void>;
}

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const Database = require(workerData.module);
const db = new Database(workerData.file, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
db.pragma('busy_timeout = 2000');
const tick = () => {
  try {
    let size = 0;
    try { size = fs.statSync(workerData.file + '-wal').size; } catch {}
    if (size > 0) db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => { if (m === 'stop') { clearInterval(timer); db.close(); parentPort.postMessage({ stopped: true }); } });
parentPort.postMessage({ ready: true });
`;

export function startCheckpointer(options: {
  file: string;
  nativeBinding?: string;
  intervalMs?: number;
  onError: (message: string) => void;
}): Promise<Checkpointer> {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file: options.file, nativeBinding: options.nativeBinding, module, intervalMs: options.intervalMs ?? 250 },
  });
  worker.unref();
  return new Promise((resolve, reject) => {
    const onFirst = (m: { ready?: boolean; error?: string }) => {
      if (m.error) options.onError(m.error);
      if (!m.ready) return;
      worker.off('message', onFirst);
      worker.on('message', (msg: { error?: string }) => msg.error && options.onError(msg.error));
      resolve({
        stop: () =>
          new Promise<void>((done) => {
            const timeout = setTimeout(() => void worker.terminate().then(() => done()), 2000);
            worker.once('message', () => {
              clearTimeout(timeout);
              void worker.terminate().then(() => done());
            });
            worker.postMessage('stop');
          }),
      });
    };
    worker.on('message', onFirst);
    worker.once('error', reject);
  });
}
