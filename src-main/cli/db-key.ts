/**
 * The case database key for CLI commands: from `--key-file FILE` or the environment variable
 * NEEDMAP_DB_KEY. Either holds one of:
 *   - 64 hex digits: the raw 256-bit data key itself;
 *   - anything else: a passphrase (or a staff user's password) that opens one of the key slots
 *     in `<db>.keys.json` beside the database (see src-main/db/key-slots.ts).
 * Without either, an encrypted database is refused with a clear message; a plain one opens as is.
 */
import fs from 'node:fs';
import { isEncryptedFile } from '../db/protect/encrypt.ts';
import { generateDataKey, parseHexKey, passphraseWrapper } from '../core/protect/keys.ts';
import { keySlotsPath, putKeySlot, unlockWithSecret } from '../db/key-slots.ts';
import { UsageError } from './command.ts';

export const DB_KEY_ENV = 'NEEDMAP_DB_KEY';

/** Add to a command's `options` (spread) so it accepts --key-file. */
export const keyFileOption = { 'key-file': { type: 'string' } } as const;

export const KEY_HELP = `  --key-file FILE  the database key (else ${DB_KEY_ENV}): 64 hex digits (the raw key) or a passphrase
                   / staff password that opens a slot in <db>.keys.json`;

/** The secret given by --key-file or NEEDMAP_DB_KEY (trimmed), or null. */
export function keySecret(values: Record<string, unknown>): string | null {
  const keyFile = values['key-file'];
  if (typeof keyFile === 'string') {
    if (!fs.existsSync(keyFile)) throw new UsageError(`No key file at ${keyFile}.`);
    const text = fs.readFileSync(keyFile, 'utf8').trim();
    if (!text) throw new UsageError(`${keyFile} is empty; it should hold the database key or passphrase.`);
    return text;
  }
  const env = process.env[DB_KEY_ENV]?.trim();
  return env ? env : null;
}

function fileIsEncrypted(dbFile: string): boolean {
  const fd = fs.openSync(dbFile, 'r');
  try {
    const header = Buffer.alloc(16);
    return fs.readSync(fd, header, 0, 16, 0) === 16 && isEncryptedFile(header);
  } finally {
    fs.closeSync(fd);
  }
}

/** The key to open an existing case database with, or undefined for a plain one. */
export function caseDbKey(values: Record<string, unknown>, dbFile: string): Buffer | undefined {
  const secret = keySecret(values);
  if (secret === null) {
    if (fs.existsSync(dbFile) && fileIsEncrypted(dbFile)) {
      throw new Error(
        `${dbFile} is encrypted: set ${DB_KEY_ENV} (the 64-hex-digit key, or a passphrase or staff password that opens ${keySlotsPath(dbFile)}) or give --key-file FILE.`,
      );
    }
    return undefined;
  }
  const raw = parseHexKey(secret);
  if (raw) return raw;
  if (!fs.existsSync(keySlotsPath(dbFile))) {
    throw new Error(`${DB_KEY_ENV} is a passphrase, but there is no key slots file (${keySlotsPath(dbFile)}) for it to open.`);
  }
  const key = unlockWithSecret(dbFile, secret);
  if (!key) throw new Error(`The passphrase in ${DB_KEY_ENV} (or --key-file) does not open any key slot of ${dbFile}.`);
  return key;
}

/**
 * The key for a database about to be created: the raw key as given, or a new random key kept in a
 * passphrase slot. Undefined (a plain database) when no key is given.
 */
export function newCaseDbKey(values: Record<string, unknown>, dbFile: string): Buffer | undefined {
  const secret = keySecret(values);
  if (secret === null) return undefined;
  const raw = parseHexKey(secret);
  if (raw) return raw;
  if (secret.length < 10) throw new UsageError(`The passphrase in ${DB_KEY_ENV} must be at least 10 characters (or 64 hex digits for a raw key).`);
  const key = generateDataKey();
  fs.rmSync(keySlotsPath(dbFile), { force: true });
  putKeySlot(dbFile, key, passphraseWrapper(secret), 'passphrase', 'cli');
  return key;
}

/** One line saying whether a database was created encrypted, for `needmap demo`'s output. */
export function encryptionNote(key: Buffer | undefined): string {
  return key ? `Encrypted with the key from ${DB_KEY_ENV} (SQLCipher).\n` : `Not encrypted: ${DB_KEY_ENV} is not set, so this is a plain database.\n`;
}
