/**
 * Reports read in worker threads, so a save never waits behind a report. At 100,000 clients a
 * report takes 100–300 ms of CPU; run in the thread that also writes (the office server, the
 * browser host, the Electron shell all answer every call in one thread), every save made meanwhile
 * waited for it. Here each worker holds its own read-only connection to the same file (WAL lets
 * readers run beside the writer, each reading the database as committed when its read began), so
 * the writing thread only checks permissions, the input and the filter, hands the read over, and
 * writes the audit line when the figures come back (src-main/ipc/handlers/reports.ts).
 *
 * - The connection mirrors the main thread's: opened with the same file and key (sent in a message,
 *   in memory only, never in argv or on disk), re-opened when the main connection or key changes,
 *   closed — its key dropped — when the main connection closes (logout, lock, restore).
 * - Results are those of the same functions (./reads.ts) in this thread; errors come back as the
 *   same RecordError or Error (./read-messages.ts).
 * - While no worker is ready (starting, or none can start: no source, a broken build) and whenever a
 *   worker cannot open the file or stops, reads run in this thread, as before: slower, never wrong.
 * - Size: NEEDMAP_REPORT_WORKERS, else one worker per core beyond the first (at least one, at most
 *   four); 0 reads in this thread.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Taxonomy } from '../../core/taxonomy.ts';
import type { CaseDatabase } from '../open.ts';
import { errorFromShape, type FromReader, type ToReader } from './read-messages.ts';
import { readReportHere, type ReportReadInput, type ReportReadName, type ReportReadOutput } from './reads.ts';
import { workerSource, type WorkerSource } from '../worker-script.ts';

/** What a worker runs: the compiled file, or (eval) code that loads the TypeScript source through tsx. */
export type ReaderSource = WorkerSource;

/**
 * The worker's code (db/worker-script.ts: the compiled build when fresh, else the source under the
 * app's folder `root` through tsx); null when neither is there (then reports are read in this thread).
 */
export function defaultReaderSource(root: string): ReaderSource | null {
  return workerSource('read-worker', 'src-main/db/reports/read-worker.ts', root);
}

export function defaultReaderCount(): number {
  const configured = process.env.NEEDMAP_REPORT_WORKERS;
  if (configured !== undefined && /^\d+$/.test(configured)) return Math.min(Number(configured), os.availableParallelism());
  return Math.max(1, Math.min(4, os.availableParallelism() - 1));
}

/** The main thread's connection a read must see: its object (a new one is a new connection) and key. */
export interface ReadTarget {
  caseDb: CaseDatabase;
  key: Buffer | string | null;
}

interface Reader {
  worker: Worker;
  ready: boolean;
  inFlight: number;
  /** The generation of the connection this worker was last told to open (0: none). */
  generation: number;
}

interface Pending {
  reader: Reader;
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class ReportReadPool {
  /** Reads answered by a worker and in this thread (tests and the bench look). */
  readonly stats = { inWorker: 0, inThread: 0 };
  private readonly readers: Reader[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private started = false;
  private broken = false;
  private closed = false;
  private current: (ReadTarget & { generation: number }) | null = null;
  private generations = 0;
  private unopenedSaid = 0;
  private readonly size: number;
  private readonly source: ReaderSource | null;
  private readonly whenReady: Promise<boolean>;
  private settleReady!: (ready: boolean) => void;

  constructor(private readonly options: { taxonomy: Taxonomy; root?: string; nativeBinding?: string; size?: number; source?: ReaderSource | null }) {
    this.size = options.size ?? defaultReaderCount();
    this.source = options.source !== undefined ? options.source : options.root ? defaultReaderSource(options.root) : null;
    this.whenReady = new Promise((resolve) => (this.settleReady = resolve));
    if (this.size === 0 || !this.source) this.giveUp();
  }

  /** Starts the workers (if not yet); resolves true once one is ready, false if none can run. */
  ready(): Promise<boolean> {
    this.start();
    return this.whenReady;
  }

  /** Runs a read in a worker when one is ready, else in this thread. */
  read<N extends ReportReadName>(name: N, input: ReportReadInput<N>, target: ReadTarget): Promise<ReportReadOutput<N>> {
    const here = () => readReportHere(target.caseDb, this.options.taxonomy, name, input);
    this.start();
    const reader = this.readers.filter((r) => r.ready).sort((a, b) => a.inFlight - b.inFlight)[0];
    if (!reader || this.closed) return this.runHere(here);
    const generation = this.generationFor(target);
    if (reader.generation !== generation) {
      const key = target.key === null ? null : typeof target.key === 'string' ? target.key : new Uint8Array(target.key);
      this.post(reader, { type: 'open', generation, file: target.caseDb.file, key });
      if (key instanceof Uint8Array) key.fill(0); // the worker has its own copy now
      reader.generation = generation;
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { reader, run: here, resolve: resolve as (value: unknown) => void, reject });
      if (reader.inFlight++ === 0) reader.worker.ref();
      this.post(reader, { type: 'read', id, generation, name, input });
    });
  }

  /** The main thread's connection has closed: the workers close theirs and forget the key. */
  release(): void {
    this.current = null;
    for (const reader of this.readers) {
      if (reader.generation === 0) continue;
      reader.generation = 0;
      this.post(reader, { type: 'release' });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.release();
    const readers = this.readers.splice(0);
    await Promise.all(readers.map((r) => r.worker.terminate()));
    this.giveUp();
  }

  private runHere<T>(run: () => T): Promise<T> {
    this.stats.inThread++;
    try {
      return Promise.resolve(run());
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  private generationFor(target: ReadTarget): number {
    const current = this.current;
    if (current && current.caseDb === target.caseDb && current.key === target.key) return current.generation;
    this.current = { ...target, generation: ++this.generations };
    return this.current.generation;
  }

  private post(reader: Reader, message: ToReader): void {
    reader.worker.postMessage(message);
  }

  private start(): void {
    if (this.started || this.broken || this.closed) return;
    this.started = true;
    for (let i = 0; i < this.size; i++) this.startOne(this.source!);
  }

  private startOne(source: ReaderSource): void {
    let worker: Worker;
    try {
      worker = new Worker(source.file, {
        eval: source.eval,
        workerData: { taxonomy: this.options.taxonomy, nativeBinding: this.options.nativeBinding ?? null },
      });
    } catch (error) {
      return this.fail(null, error as Error);
    }
    const reader: Reader = { worker, ready: false, inFlight: 0, generation: 0 };
    this.readers.push(reader);
    worker.unref();
    worker.on('message', (message: FromReader) => {
      if ('ready' in message) {
        reader.ready = true;
        this.settleReady(true);
        return;
      }
      const done = this.pending.get(message.id);
      if (!done) return;
      this.pending.delete(message.id);
      if (--reader.inFlight === 0) reader.worker.unref();
      if (message.ok) {
        this.stats.inWorker++;
        done.resolve(message.value);
      } else if (message.unopened) {
        // The worker could not open the file (a key it could not use…): this thread reads it; said once per connection.
        if (this.unopenedSaid !== reader.generation) {
          this.unopenedSaid = reader.generation;
          console.error(`[needmap] a report worker could not open the database (${message.error.message}); reports are read in the main thread.`);
        }
        this.runHere(done.run).then(done.resolve, done.reject);
      } else {
        this.stats.inWorker++;
        done.reject(errorFromShape(message.error));
      }
    });
    worker.on('error', (error) => this.fail(reader, error));
    worker.on('exit', () => this.fail(reader, new Error('the report worker stopped')));
  }

  /** A worker that fails or stops: its reads run in this thread; with none left, every read does. */
  private fail(reader: Reader | null, error: Error): void {
    if (reader) {
      const index = this.readers.indexOf(reader);
      if (index < 0) return;
      this.readers.splice(index, 1);
      void reader.worker.terminate();
      for (const [id, pending] of this.pending) {
        if (pending.reader !== reader) continue;
        this.pending.delete(id);
        this.runHere(pending.run).then(pending.resolve, pending.reject);
      }
    }
    if (this.closed) return;
    console.error(`[needmap] a report worker failed (${error.message}); reports are read in the main thread.`);
    if (this.readers.length === 0) this.giveUp();
  }

  private giveUp(): void {
    this.broken = true;
    this.settleReady(false);
  }
}
