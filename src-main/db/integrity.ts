/**
 * Checking the case database for damage without making anyone wait. PRAGMA quick_check reads
 * every page — about 10 s for an encrypted file of a million issue records — so the app opens the
 * database straight away and checks it in a worker thread on a read-only connection of its own.
 * The outcome is kept per file for this process; auth.status reports it, and the screen says so
 * (with the way to restore) if the file is damaged. SQLite itself still refuses any damaged page a
 * query touches in the meantime. Command-line tools check before they start instead (db/open.ts).
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { checkedInThisProcess, corrupt, markChecked, type SqliteDatabase } from './open.ts';
import { workerSource } from './worker-script.ts';

export type IntegrityState = 'not-checked' | 'checking' | 'ok' | 'damaged';

export interface IntegrityStatus {
  state: IntegrityState;
  /** For a damaged file: what is wrong and how to restore the latest backup. */
  message: string | null;
}

const status = new Map<string, IntegrityStatus & { done?: Promise<void> }>();

/** What is known of a file's integrity in this process. */
export function integrityStatus(file: string): IntegrityStatus {
  const resolved = path.resolve(file);
  const known = status.get(resolved);
  if (known) return { state: known.state, message: known.message };
  return checkedInThisProcess(resolved) ? { state: 'ok', message: null } : { state: 'not-checked', message: null };
}

/**
 * Resolves once a background check of the file (if one is running) has finished and closed its
 * connection. Whatever must have the file to itself — encrypting it at first run, replacing it by a
 * restore — waits for this first: SQLite refuses to rekey a file another connection is reading, and
 * a check that opened the file after it was encrypted would find it unreadable and call it damaged.
 */
export function integrityCheckSettled(file: string): Promise<void> {
  return status.get(path.resolve(file))?.done ?? Promise.resolve();
}

function settle(file: string, result: { ok: true } | { ok: false; detail: string }): void {
  if (result.ok) {
    markChecked(file);
    status.set(file, { state: 'ok', message: null });
  } else {
    const message = corrupt(file, result.detail).message;
    console.error(`[needmap] ${message}`);
    status.set(file, { state: 'damaged', message });
  }
}

/** The check in this thread (when no worker can run): blocks, as the check at open did. */
function checkHere(sqlite: SqliteDatabase): { ok: true } | { ok: false; detail: string } {
  try {
    const rows = sqlite.pragma('quick_check(5)') as { quick_check: string }[];
    return rows.length === 1 && rows[0]!.quick_check === 'ok' ? { ok: true } : { ok: false, detail: rows.map((r) => r.quick_check).join('; ') };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}

/**
 * Starts the check of an open database in the background, once per file per process (a
 * re-login after a lock does not check again). Resolves when the outcome is known.
 */
export function checkIntegrityInBackground(
  file: string,
  sqlite: SqliteDatabase,
  options: { key?: string | Buffer; nativeBinding?: string } = {},
): Promise<void> {
  const resolved = path.resolve(file);
  const known = status.get(resolved);
  if (known && known.state !== 'not-checked') return known.done ?? Promise.resolve();
  if (checkedInThisProcess(resolved)) return Promise.resolve();
  const source = workerSource('integrity-worker', 'src-main/db/integrity-worker.ts');
  if (!source) {
    settle(resolved, checkHere(sqlite));
    return Promise.resolve();
  }
  const key = options.key;
  const worker = new Worker(source.file, {
    eval: source.eval,
    workerData: {
      file: resolved,
      keyHex: Buffer.isBuffer(key) ? key.toString('hex') : null,
      passphrase: typeof key === 'string' ? key : null,
      nativeBinding: options.nativeBinding ?? null,
    },
  });
  // The check never keeps the process alive: closing the app does not wait for it.
  worker.unref();
  const done = new Promise<void>((resolve) => {
    let settled = false;
    const finish = (result: { ok: true } | { ok: false; detail: string } | null) => {
      if (settled) return;
      settled = true;
      if (result) settle(resolved, result);
      else status.set(resolved, { state: 'not-checked', message: null });
      resolve();
    };
    worker.once('message', (result: { ok: true } | { ok: false; detail: string }) => finish(result));
    worker.once('error', (error) => {
      // No worker (e.g. its file is missing from a package): check here rather than not at all.
      console.error('[needmap] the background integrity check could not run in a worker thread:', error.message);
      finish(sqlite.open ? checkHere(sqlite) : null);
    });
    worker.once('exit', () => finish(null));
  });
  status.set(resolved, { state: 'checking', message: null, done });
  return done;
}
