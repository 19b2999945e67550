/**
 * Verifying bundle files in worker threads, so a batch's verification (signature, inflate,
 * JSON, canonical form, schema, payload checks: ~5–10 ms of CPU per large bundle) runs on every
 * core while the importing thread stores the files already verified. One pool per batch: its
 * workers start as files arrive (a one-file batch starts one) and stop at the batch's end.
 *
 * The workers run dist/node/verify-worker.mjs when that compiled file is fresh, else the
 * TypeScript source through tsx (../worker-script.ts). If no worker can start (a packaged app
 * without the file, a broken build), files are verified in the importing thread instead: slower,
 * never wrong.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { signerRefusal, type SignerStanding } from '../../core/area/import-ready.ts';
import { workerSource, type WorkerSource } from '../worker-script.ts';
import { verifyForImport, type VerifyOutcome, type WorkerMessage } from './verify-task.ts';

/** Which keys are trusted, as read at the start of a batch (the transaction checks the register again). */
export interface SignerSnapshot {
  version: number;
  signers: Map<string, SignerStanding>;
}

let snapshotVersion = 0;
export function signerSnapshot(signers: Map<string, SignerStanding>): SignerSnapshot {
  return { version: ++snapshotVersion, signers };
}

interface PoolWorker {
  worker: Worker;
  inFlight: number;
  signersVersion: number;
}

interface Task {
  bytes: Buffer;
  snapshot: SignerSnapshot;
  resolve: (outcome: VerifyOutcome) => void;
}

/** Files handed to one worker at a time: two, so it never waits for the importing thread between files. */
const PER_WORKER = 2;

export class VerifyPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Task[] = [];
  private readonly pending = new Map<number, { task: Task; worker: PoolWorker }>();
  private nextId = 1;
  private broken = false;
  private closed = false;
  private source: WorkerSource | 'none' | null = null;

  constructor(readonly size: number) {}

  /** Verifies a file in a worker (in this thread if none can run). Never throws. */
  verify(bytes: Buffer, snapshot: SignerSnapshot): Promise<VerifyOutcome> {
    if (this.broken || this.size === 0) return verifyHere(bytes, snapshot);
    return new Promise((resolve) => {
      this.queue.push({ bytes, snapshot, resolve });
      this.dispatch();
    });
  }

  /** One more worker, while there are files waiting and fewer workers than the pool's size. */
  private startWorker(): PoolWorker | null {
    const source = (this.source ??= workerSource('verify-worker', 'src-main/db/area/verify-worker.ts') ?? 'none');
    if (source === 'none') {
      this.broken = true;
      for (const task of this.queue.splice(0)) void verifyHere(task.bytes, task.snapshot).then(task.resolve);
      return null;
    }
    const worker = new Worker(source.file, { eval: source.eval });
    const entry: PoolWorker = { worker, inFlight: 0, signersVersion: 0 };
    worker.on('message', (message: { id?: number; outcome?: VerifyOutcome }) => {
      if (message.id === undefined || !message.outcome) return;
      const done = this.pending.get(message.id);
      if (!done) return;
      this.pending.delete(message.id);
      entry.inFlight--;
      done.task.resolve(message.outcome);
      this.dispatch();
    });
    worker.on('error', (error) => this.fail(entry, error));
    worker.on('exit', () => this.fail(entry, new Error('the verification worker stopped')));
    this.workers.push(entry);
    return entry;
  }

  /** A worker that fails: its files (and, with no worker left, every queued file) are verified in this thread. */
  private fail(entry: PoolWorker, error: Error): void {
    const index = this.workers.indexOf(entry);
    if (index < 0) return;
    this.workers.splice(index, 1);
    void entry.worker.terminate();
    if (process.env.NEEDMAP_DEBUG) console.error('[needmap] verification worker failed:', error);
    for (const [id, { task, worker }] of this.pending) {
      if (worker !== entry) continue;
      this.pending.delete(id);
      void verifyHere(task.bytes, task.snapshot).then(task.resolve);
    }
    if (this.workers.length === 0) {
      this.broken = true;
      for (const task of this.queue.splice(0)) void verifyHere(task.bytes, task.snapshot).then(task.resolve);
    }
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.broken) {
      let entry = this.workers.find((w) => w.inFlight === 0) ?? null;
      if (!entry && this.workers.length < this.size && !this.closed) entry = this.startWorker();
      entry ??= this.workers.reduce<PoolWorker | null>((best, w) => (w.inFlight < PER_WORKER && (!best || w.inFlight < best.inFlight) ? w : best), null);
      if (!entry) return;
      const task = this.queue.shift()!;
      const id = this.nextId++;
      if (entry.signersVersion !== task.snapshot.version) {
        const message: WorkerMessage = { type: 'signers', version: task.snapshot.version, signers: [...task.snapshot.signers] };
        entry.worker.postMessage(message);
        entry.signersVersion = task.snapshot.version;
      }
      entry.inFlight++;
      this.pending.set(id, { task, worker: entry });
      // Copied, not transferred: the caller's buffer may share its memory with others.
      const message: WorkerMessage = { type: 'verify', id, version: task.snapshot.version, bytes: task.bytes };
      entry.worker.postMessage(message);
    }
  }

  /** Stops the workers: the end of the batch. */
  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}

function verifyHere(bytes: Buffer, snapshot: SignerSnapshot): Promise<VerifyOutcome> {
  return verifyForImport(bytes, (signer) => signerRefusal(signer, snapshot.signers.get(signer.fingerprint)));
}

/** Worker threads for verification: one per core (NEEDMAP_VERIFY_WORKERS overrides; 0 verifies in the importing thread). */
export function defaultPoolSize(): number {
  const configured = process.env.NEEDMAP_VERIFY_WORKERS;
  if (configured !== undefined && /^\d+$/.test(configured)) return Number(configured);
  return Math.max(1, Math.min(8, os.availableParallelism()));
}
