/** Turning a new, still-empty plain case database into an encrypted one (first-run setup). */
import type { CaseDatabase } from '../open.ts';

/** SQLite3 Multiple Ciphers cannot rekey in WAL mode, so the journal goes to DELETE and back around it. */
export function encryptInPlace(caseDb: CaseDatabase, dataKey: Buffer): void {
  const { sqlite } = caseDb;
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.pragma('journal_mode = DELETE');
  sqlite.pragma(`cipher='sqlcipher'`);
  sqlite.pragma(`rekey="x'${dataKey.toString('hex')}'"`);
  sqlite.pragma('journal_mode = WAL');
}

export function isEncryptedFile(header: Buffer): boolean {
  return !header.subarray(0, 16).equals(Buffer.from('SQLite format 3\0', 'latin1'));
}
