/**
 * The organisation's Ed25519 signing key for bundles: created on first export, stored with the
 * private key sealed by a KeyProtector (Electron safeStorage where the shell provides it, else a
 * passphrase through scrypt + AES-256-GCM). Rotation retires the current key but keeps it, and
 * every bundle carries its own public key, so old bundles stay verifiable.
 */
import crypto, { type KeyObject } from 'node:crypto';
import { desc, isNull } from 'drizzle-orm';
import { fingerprintOf, groupedFingerprint } from '../../core/bundle/package.ts';
import type { CaseDb } from '../open.ts';
import { signingKeys } from '../schema.ts';

/** Seals and unseals the private key at rest. The Electron shell can plug safeStorage in here. */
export interface KeyProtector {
  /** Stored with the key, so the right protector is asked for later ("scrypt-passphrase"…). */
  readonly kind: string;
  seal(secret: Buffer): string;
  /** Throws KeyUnlockError when this protector cannot open it (wrong passphrase…). */
  unseal(sealed: string): Buffer;
}

export class KeyUnlockError extends Error {
  override name = 'KeyUnlockError';
}

export const PASSPHRASE_ENV = 'NEEDMAP_SIGNING_PASSPHRASE';
export const PASSPHRASE_PROTECTION = 'scrypt-passphrase';

/** scrypt cost: N = 2^15, r = 8 (32 MiB, ~0.1 s) — OWASP's minimum recommendation for scrypt. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;

interface SealedEnvelope {
  v: 1;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  iv: string;
  tag: string;
  data: string;
}

export function passphraseProtector(passphrase: string): KeyProtector {
  if (passphrase.length < 8) throw new KeyUnlockError(`The signing passphrase must be at least 8 characters.`);
  const derive = (salt: Buffer, params: { N: number; r: number; p: number }) =>
    crypto.scryptSync(passphrase.normalize('NFC'), salt, 32, { ...params, maxmem: 128 * params.N * params.r * 2 });
  return {
    kind: PASSPHRASE_PROTECTION,
    seal(secret) {
      const salt = crypto.randomBytes(16);
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', derive(salt, SCRYPT), iv);
      const data = Buffer.concat([cipher.update(secret), cipher.final()]);
      const envelope: SealedEnvelope = {
        v: 1,
        kdf: 'scrypt',
        ...SCRYPT,
        salt: salt.toString('base64'),
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        data: data.toString('base64'),
      };
      return JSON.stringify(envelope);
    },
    unseal(sealed) {
      const e = JSON.parse(sealed) as SealedEnvelope;
      if (e.v !== 1 || e.kdf !== 'scrypt') throw new KeyUnlockError('The stored signing key is in an unknown format.');
      const decipher = crypto.createDecipheriv('aes-256-gcm', derive(Buffer.from(e.salt, 'base64'), e), Buffer.from(e.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(e.tag, 'base64'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(e.data, 'base64')), decipher.final()]);
      } catch {
        throw new KeyUnlockError('The passphrase does not unlock the signing key.');
      }
    },
  };
}

let platformProtector: KeyProtector | null = null;

/** Called once by the Electron shell with a safeStorage-backed protector, when safeStorage is available. */
export function usePlatformKeyProtector(protector: KeyProtector | null): void {
  platformProtector = protector;
}

/** Where a protector may come from: an explicit passphrase, the environment, or the platform. */
export interface KeySources {
  passphrase?: string | undefined;
}

/** The protector for a stored secret of this kind (null: for a new secret). Also seals the area linkage key. */
export function protectorFor(kind: string | null, sources: KeySources): KeyProtector {
  const passphrase = sources.passphrase ?? process.env[PASSPHRASE_ENV];
  if (kind === null) {
    // A new key: the platform's store when there is one, else the passphrase.
    if (platformProtector && !passphrase) return platformProtector;
    if (passphrase) return passphraseProtector(passphrase);
    throw new KeyUnlockError(
      `No signing key exists yet and there is nothing to protect a new one with: set ${PASSPHRASE_ENV} to a passphrase (8 characters or more).`,
    );
  }
  if (kind === PASSPHRASE_PROTECTION) {
    if (!passphrase) throw new KeyUnlockError(`The signing key is protected by a passphrase: set ${PASSPHRASE_ENV} (or enter the passphrase).`);
    return passphraseProtector(passphrase);
  }
  if (platformProtector?.kind === kind) return platformProtector;
  throw new KeyUnlockError(`The signing key is protected by "${kind}", which is not available here.`);
}

export interface SigningKeyInfo {
  fingerprint: string;
  groupedFingerprint: string;
  publicKeyPem: string;
  protection: string;
  createdAt: string;
  retiredAt: string | null;
}

function info(row: typeof signingKeys.$inferSelect): SigningKeyInfo {
  return {
    fingerprint: row.fingerprint,
    groupedFingerprint: groupedFingerprint(row.fingerprint),
    publicKeyPem: row.publicKeyPem,
    protection: row.protection,
    createdAt: row.createdAt,
    retiredAt: row.retiredAt,
  };
}

export function currentSigningKey(db: CaseDb): SigningKeyInfo | null {
  const row = db.select().from(signingKeys).where(isNull(signingKeys.retiredAt)).orderBy(desc(signingKeys.id)).get();
  return row ? info(row) : null;
}

export function allSigningKeys(db: CaseDb): SigningKeyInfo[] {
  return db.select().from(signingKeys).orderBy(desc(signingKeys.id)).all().map(info);
}

function createKey(db: CaseDb, protector: KeyProtector): typeof signingKeys.$inferSelect {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const sealed = protector.seal(privateKey.export({ type: 'pkcs8', format: 'der' }));
  return db
    .insert(signingKeys)
    .values({
      fingerprint: fingerprintOf(publicKey),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      protection: protector.kind,
      privateKeySealed: sealed,
    })
    .returning()
    .get();
}

export interface UnlockedKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  fingerprint: string;
}

/** The current key, unsealed; creates one first when there is none. */
export function unlockSigningKey(db: CaseDb, sources: KeySources = {}): UnlockedKey {
  let row = db.select().from(signingKeys).where(isNull(signingKeys.retiredAt)).orderBy(desc(signingKeys.id)).get();
  if (!row) row = createKey(db, protectorFor(null, sources));
  const der = protectorFor(row.protection, sources).unseal(row.privateKeySealed);
  const privateKey = crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  // A swapped or corrupted row must not sign under another key's fingerprint.
  if (fingerprintOf(crypto.createPublicKey(privateKey)) !== row.fingerprint) {
    throw new KeyUnlockError('The stored signing key does not match its fingerprint; it may have been tampered with.');
  }
  return { privateKey, publicKeyPem: row.publicKeyPem, fingerprint: row.fingerprint };
}

/** Retires the current key (kept, for the record) and makes a new one, in one transaction. */
export function rotateSigningKey(db: CaseDb, sources: KeySources = {}): SigningKeyInfo {
  const current = currentSigningKey(db);
  // Unlocking first proves the person rotating holds the current key's protection.
  if (current) unlockSigningKey(db, sources);
  const protector = protectorFor(null, sources);
  return db.transaction((tx) => {
    tx.update(signingKeys).set({ retiredAt: new Date().toISOString() }).where(isNull(signingKeys.retiredAt)).run();
    return info(createKey(tx as unknown as CaseDb, protector));
  });
}
