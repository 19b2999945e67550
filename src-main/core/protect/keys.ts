/**
 * Encryption-at-rest keys, LUKS-style: the case database is encrypted with one random 256-bit
 * data key, which is never stored in clear. It is kept in "key slots", each the data key wrapped
 * (AES-256-GCM) by one KeyWrapper: a staff user's password or an admin passphrase (through
 * Argon2id with a per-slot salt), or the platform's store (Electron safeStorage, plugged in by
 * the shell). Any one slot unlocks the database. Pure: node:crypto and Argon2 only, no files.
 */
import crypto from 'node:crypto';
import { hashRawSync, hashSync, verifySync } from '@node-rs/argon2';
import { z } from 'zod';

export const DATA_KEY_BYTES = 32;

/** @node-rs/argon2's Algorithm.Argon2id (an ambient const enum, which isolatedModules cannot read). */
const ARGON2ID = 2;

export function generateDataKey(): Buffer {
  return crypto.randomBytes(DATA_KEY_BYTES);
}

/** A 256-bit key written as 64 hex digits: how NEEDMAP_DB_KEY gives a raw key rather than a passphrase. */
export function parseHexKey(text: string): Buffer | null {
  return /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : null;
}

/** Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~30–60 ms here. */
export const ARGON2_PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const KeySlot = z.object({
  id: z.string().min(1),
  /** user: a staff user's password (label = username); passphrase: an admin/CLI passphrase; platform: safeStorage. */
  type: z.enum(['user', 'passphrase', 'platform']),
  label: z.string(),
  /** Which wrapper sealed it ("argon2id-aes-256-gcm", "electron-safe-storage"…). */
  wrapper: z.string().min(1),
  kdf: z.object({ memoryCost: z.number().int(), timeCost: z.number().int(), parallelism: z.number().int(), salt: z.string() }).nullable(),
  /** Base64 sealed data key; for AES-GCM wrappers iv and tag too. */
  iv: z.string().nullable(),
  tag: z.string().nullable(),
  data: z.string().min(1),
  createdAt: z.string(),
});
export type KeySlot = z.infer<typeof KeySlot>;

export type SlotSeal = Pick<KeySlot, 'wrapper' | 'kdf' | 'iv' | 'tag' | 'data'>;

/** Seals the data key into a slot and opens it again; unwrap returns null when it cannot (wrong password). */
export interface KeyWrapper {
  readonly kind: string;
  wrap(dataKey: Buffer, associated: string): SlotSeal;
  unwrap(seal: SlotSeal, associated: string): Buffer | null;
}

export const PASSPHRASE_WRAPPER = 'argon2id-aes-256-gcm';

function kek(secret: string, salt: Buffer, params: { memoryCost: number; timeCost: number; parallelism: number }): Buffer {
  return hashRawSync(secret.normalize('NFC'), { ...params, salt, outputLen: 32, algorithm: ARGON2ID });
}

/**
 * Wraps under a key derived from a password or passphrase. `associated` (the slot's type and
 * label) is bound in as AES-GCM additional data, so a slot cannot be relabelled to another user.
 */
export function passphraseWrapper(secret: string): KeyWrapper {
  return {
    kind: PASSPHRASE_WRAPPER,
    wrap(dataKey, associated) {
      const salt = crypto.randomBytes(16);
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', kek(secret, salt, ARGON2_PARAMS), iv);
      cipher.setAAD(Buffer.from(associated, 'utf8'));
      const data = Buffer.concat([cipher.update(dataKey), cipher.final()]);
      return {
        wrapper: PASSPHRASE_WRAPPER,
        kdf: { ...ARGON2_PARAMS, salt: salt.toString('base64') },
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        data: data.toString('base64'),
      };
    },
    unwrap(seal, associated) {
      if (seal.wrapper !== PASSPHRASE_WRAPPER || !seal.kdf || !seal.iv || !seal.tag) return null;
      const key = kek(secret, Buffer.from(seal.kdf.salt, 'base64'), seal.kdf);
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(seal.iv, 'base64'));
      decipher.setAAD(Buffer.from(associated, 'utf8'));
      decipher.setAuthTag(Buffer.from(seal.tag, 'base64'));
      try {
        const out = Buffer.concat([decipher.update(Buffer.from(seal.data, 'base64')), decipher.final()]);
        return out.length === DATA_KEY_BYTES ? out : null;
      } catch {
        return null;
      }
    },
  };
}

export function slotAssociatedData(slot: Pick<KeySlot, 'type' | 'label'>): string {
  return `needmap-key-slot:${slot.type}:${slot.label}`;
}

export function makeSlot(dataKey: Buffer, wrapper: KeyWrapper, type: KeySlot['type'], label: string, now = new Date()): KeySlot {
  const seal = wrapper.wrap(dataKey, slotAssociatedData({ type, label }));
  return { id: crypto.randomUUID(), type, label, ...seal, createdAt: now.toISOString() };
}

export function openSlot(slot: KeySlot, wrapper: KeyWrapper): Buffer | null {
  if (slot.wrapper !== wrapper.kind) return null;
  return wrapper.unwrap(slot, slotAssociatedData(slot));
}

// ---- staff passwords ----

import { MIN_PASSWORD_LENGTH } from './password-rules.ts';

export { MIN_PASSWORD_LENGTH };

/** Why a new password is not acceptable, or null. Length is what matters most (NCSC, NIST 800-63B). */
export function passwordProblem(password: string, username = ''): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`;
  if (password.length > 200) return 'The password is too long (200 characters at most).';
  if (/^(.)\1*$/.test(password)) return 'The password must not be one character repeated.';
  if (username && password.toLowerCase().includes(username.toLowerCase())) return 'The password must not contain the username.';
  return null;
}

export function hashPassword(password: string): string {
  return hashSync(password.normalize('NFC'), { ...ARGON2_PARAMS, algorithm: ARGON2ID });
}

/**
 * An Argon2id hash (same parameters as real ones) of a random password nobody knows. A login for
 * a username that does not exist, or is disabled, is checked against it, so it costs the same
 * work and time as one with a wrong password: the response time does not tell which usernames exist.
 */
export const DUMMY_PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$dm0pRCaOpdZsjjFKUAk+mg$ilGImftHhbUjxxVGQ5AIuEvM6zunJ689CUSGiWJtYM4';

/** The same Argon2id work as opening a key slot with a wrong password, for a username with no slot. */
export function dummySlotUnwrap(secret: string): void {
  const salt = crypto.randomBytes(16);
  kek(secret, salt, ARGON2_PARAMS);
}

export function verifyPassword(hash: string, password: string): boolean {
  try {
    return verifySync(hash, password.normalize('NFC'));
  } catch {
    return false;
  }
}
