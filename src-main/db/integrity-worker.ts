/**
 * The background integrity check (see integrity.ts), in a worker thread: opens the database
 * read-only on its own connection (with the key, if encrypted) and runs PRAGMA quick_check, which
 * reads — and for an encrypted file decrypts — every page.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { applyKey } from './open.ts';

const { file, keyHex, passphrase, nativeBinding } = workerData as {
  file: string;
  keyHex: string | null;
  passphrase: string | null;
  nativeBinding: string | null;
};
let result: { ok: true } | { ok: false; detail: string };
try {
  const sqlite = new Database(file, { readonly: true, ...(nativeBinding ? { nativeBinding } : {}) });
  try {
    const key = keyHex ? Buffer.from(keyHex, 'hex') : passphrase;
    if (key) applyKey(sqlite, key);
    if (Buffer.isBuffer(key)) key.fill(0);
    const rows = sqlite.pragma('quick_check(5)') as { quick_check: string }[];
    result = rows.length === 1 && rows[0]!.quick_check === 'ok' ? { ok: true } : { ok: false, detail: rows.map((r) => r.quick_check).join('; ') };
  } finally {
    sqlite.close();
  }
} catch (error) {
  result = { ok: false, detail: (error as Error).message };
}
parentPort!.postMessage(result);
