/**
 * The key slots file beside an encrypted case database (`<db>.keys.json`): the data key wrapped
 * once per staff user, per admin passphrase and (in the Electron app) by safeStorage. It holds no
 * key in clear; losing it loses the database, so backups carry a copy. Written atomically.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { dummySlotUnwrap, KeySlot, makeSlot, openSlot, passphraseWrapper, type KeyWrapper } from '../core/protect/keys.ts';

export const KeySlotsFile = z.object({
  format: z.literal('needmap-key-slots'),
  version: z.literal(1),
  cipher: z.literal('sqlcipher'),
  slots: z.array(KeySlot),
});
export type KeySlotsFile = z.infer<typeof KeySlotsFile>;

export class KeySlotError extends Error {
  override name = 'KeySlotError';
}

export function keySlotsPath(dbFile: string): string {
  return `${dbFile}.keys.json`;
}

export function readKeySlots(dbFile: string): KeySlotsFile | null {
  const file = keySlotsPath(dbFile);
  if (!fs.existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new KeySlotError(`${file} is not valid JSON (${(error as Error).message}); restore it from a backup.`);
  }
  const parsed = KeySlotsFile.safeParse(raw);
  if (!parsed.success) throw new KeySlotError(`${file} is not a NeedMap key slots file: ${parsed.error.issues[0]?.message ?? 'unknown shape'}.`);
  return parsed.data;
}

/** Write to a temporary file then rename, so a crash never leaves a half-written slots file. */
export function writeKeySlots(dbFile: string, slots: KeySlot[]): void {
  const file = keySlotsPath(dbFile);
  const content: KeySlotsFile = { format: 'needmap-key-slots', version: 1, cipher: 'sqlcipher', slots };
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Adds a slot, replacing any earlier slot of the same type and label (a password change). */
export function putKeySlot(dbFile: string, dataKey: Buffer, wrapper: KeyWrapper, type: KeySlot['type'], label: string): void {
  const existing = readKeySlots(dbFile)?.slots ?? [];
  const slot = makeSlot(dataKey, wrapper, type, label);
  writeKeySlots(dbFile, [...existing.filter((s) => !(s.type === type && s.label === label)), slot]);
}

export function removeKeySlot(dbFile: string, type: KeySlot['type'], label: string): void {
  const existing = readKeySlots(dbFile);
  if (!existing) return;
  writeKeySlots(
    dbFile,
    existing.slots.filter((s) => !(s.type === type && s.label === label)),
  );
}

/**
 * The data key from a password or passphrase: a user's own slot when a username is given, else
 * every password-wrapped slot in turn (so an admin passphrase or any staff password works).
 */
export function unlockWithSecret(dbFile: string, secret: string, username?: string): Buffer | null {
  const file = readKeySlots(dbFile);
  if (!file) return null;
  const wrapper = passphraseWrapper(secret);
  const candidates = file.slots.filter((s) =>
    username === undefined ? s.type === 'user' || s.type === 'passphrase' : s.type === 'user' && s.label === username,
  );
  for (const slot of candidates) {
    const key = openSlot(slot, wrapper);
    if (key) return key;
  }
  // A username with no slot (unknown or disabled) costs the same Argon2id work as a wrong password.
  if (username !== undefined && candidates.length === 0) dummySlotUnwrap(secret);
  return null;
}

/** Whether a staff username has a key slot (an enabled account of an encrypted database), read while it is locked. */
export function hasUserSlot(dbFile: string, username: string): boolean {
  return (readKeySlots(dbFile)?.slots ?? []).some((s) => s.type === 'user' && s.label === username);
}

let platformWrapper: KeyWrapper | null = null;

/** Called once by the Electron shell with a safeStorage-backed wrapper, when safeStorage is available. */
export function usePlatformKeyWrapper(wrapper: KeyWrapper | null): void {
  platformWrapper = wrapper;
}

export function currentPlatformWrapper(): KeyWrapper | null {
  return platformWrapper;
}

/** The data key from the platform slot (safeStorage), when there is one and the shell provided the wrapper. */
export function unlockWithPlatform(dbFile: string): Buffer | null {
  if (!platformWrapper) return null;
  const slot = readKeySlots(dbFile)?.slots.find((s) => s.type === 'platform' && s.wrapper === platformWrapper!.kind);
  return slot ? openSlot(slot, platformWrapper) : null;
}
