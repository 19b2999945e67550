/**
 * A report-reading worker thread (see ./read-pool.ts): its own read-only connection to the case
 * database (WAL lets it read beside the writer), opened with the key the main thread sends in a
 * message — in memory only — and closed (the key dropped) when the main thread's connection closes.
 * Runs the reads of ./reads.ts and sends back each result, or the error's shape.
 */
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { Taxonomy } from '../../core/taxonomy.ts';
import { applyKey } from '../open.ts';
import * as schema from '../schema.ts';
import { readReportHere, type ReportConnection, type ReportReadName } from './reads.ts';
import { errorShape, type ErrorShape, type ToReader } from './read-messages.ts';

const port = parentPort;
if (!port) throw new Error('read-worker.ts runs as a worker thread only.');
const { taxonomy, nativeBinding } = workerData as { taxonomy: Taxonomy; nativeBinding: string | null };

let connection: (ReportConnection & { generation: number }) | null = null;
/** Why the latest open failed, for the reads of that generation. */
let openError: { generation: number; error: ErrorShape } | null = null;

function release(): void {
  connection?.sqlite.close();
  connection = null;
}

function open(generation: number, file: string, key: Uint8Array | string | null): void {
  release();
  const sqlite = new Database(file, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
  try {
    if (key !== null) {
      const raw = typeof key === 'string' ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
      applyKey(sqlite, raw);
      if (typeof raw !== 'string') raw.fill(0);
    }
    // As the main connection (db/open.ts): waits out a checkpoint, keeps summary pages in memory.
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('cache_size = -131072');
    sqlite.pragma('mmap_size = 1073741824');
    sqlite.pragma('query_only = ON');
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    sqlite.close();
    throw error;
  }
  connection = { sqlite, db: drizzle(sqlite, { schema }), generation };
}

port.on('message', (message: ToReader) => {
  if (message.type === 'release') return release();
  if (message.type === 'open') {
    try {
      open(message.generation, message.file, message.key);
    } catch (error) {
      // Reported with the next read of this generation: the pool then reads in its own thread.
      connection = null;
      openError = { generation: message.generation, error: errorShape(error) };
    }
    return;
  }
  try {
    if (!connection || connection.generation !== message.generation) {
      const failed = openError?.generation === message.generation ? openError.error : null;
      port.postMessage({ id: message.id, ok: false, unopened: true, error: failed ?? { name: 'Error', message: 'No connection for this database.' } });
      return;
    }
    const value = readReportHere(connection, taxonomy, message.name as ReportReadName, message.input as never);
    port.postMessage({ id: message.id, ok: true, value });
  } catch (error) {
    port.postMessage({ id: message.id, ok: false, error: errorShape(error) });
  }
});
port.postMessage({ ready: true });
