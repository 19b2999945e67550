/**
 * The register of trusted organisations: signing-key fingerprints the analyst has checked with
 * each organisation. Added from the organisation's public key file (its fingerprint is computed
 * and shown for confirmation) or from a fingerprint read out over the phone; revoked, never
 * deleted, so the log keeps saying who signed what.
 */
import crypto from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { OrganisationSetting } from '../../core/bundle/organisation.ts';
import { fingerprintOf, groupedFingerprint, normaliseFingerprint } from '../../core/bundle/package.ts';
import { displayText } from '../../core/display-text.ts';
import { RecordError } from '../../core/errors.ts';
import type { AreaDb } from './open.ts';
import { trustedKeys } from './schema.ts';
import { isoSeconds } from '../../core/timestamps.ts';

export interface TrustedKey {
  id: number;
  name: string;
  fingerprint: string;
  groupedFingerprint: string;
  hasPublicKey: boolean;
  organisationId: string | null;
  addedAt: string;
  revokedAt: string | null;
  revokedReason: string | null;
}

function toTrusted(row: typeof trustedKeys.$inferSelect): TrustedKey {
  return {
    id: row.id,
    name: row.name,
    fingerprint: row.fingerprint,
    groupedFingerprint: groupedFingerprint(row.fingerprint),
    hasPublicKey: row.publicKeyPem !== null,
    organisationId: row.organisationId,
    addedAt: row.addedAt,
    revokedAt: row.revokedAt,
    revokedReason: row.revokedReason,
  };
}

/** The fingerprint of an Ed25519 public key in PEM form, or a RecordError saying what is wrong with it. */
export function fingerprintOfPem(pem: string): string {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new RecordError('invalid_input', `This is not a readable public key file (${(error as Error).message}).`, {
      publicKeyPem: ['Not a readable PEM public key.'],
    });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new RecordError('invalid_input', `This is a ${key.asymmetricKeyType} key; NeedMap bundles are signed with Ed25519 keys.`, {
      publicKeyPem: ['Not an Ed25519 key.'],
    });
  }
  return fingerprintOf(key);
}

export interface TrustRequest {
  name?: string | undefined;
  /** The organisation's signer.pub.pem. */
  publicKeyPem?: string | undefined;
  /** The fingerprint the organisation read out; checked against the key when both are given. */
  fingerprint?: string | undefined;
  /**
   * The organisation id the key speaks for (its bundles' `organisation.id`). Without it the key is
   * bound at its first accepted bundle. A new key for an organisation (rotation) is trusted with
   * the same id.
   */
  organisationId?: string | undefined;
  now?: Date;
}

function organisationIdOf(input: string | undefined): string | null {
  if (input === undefined || input.trim() === '') return null;
  const parsed = OrganisationSetting.shape.id.safeParse(input);
  if (!parsed.success) {
    const message = parsed.error.issues[0]!.message;
    throw new RecordError('invalid_input', message, { organisationId: [message] });
  }
  return parsed.data;
}

/** Adds (or returns the existing) trusted key. Refuses a revoked key: revocation is final. */
export function trustKey(db: AreaDb, request: TrustRequest): { key: TrustedKey; alreadyTrusted: boolean } {
  const organisationId = organisationIdOf(request.organisationId);
  let fingerprint: string | null = null;
  if (request.publicKeyPem !== undefined) fingerprint = fingerprintOfPem(request.publicKeyPem);
  if (request.fingerprint !== undefined) {
    const typed = normaliseFingerprint(request.fingerprint);
    if (typed === null) {
      throw new RecordError('invalid_input', 'A fingerprint is 64 hex digits (spaces and colons are allowed).', {
        fingerprint: ['A fingerprint is 64 hex digits.'],
      });
    }
    if (fingerprint !== null && typed !== fingerprint) {
      throw new RecordError(
        'invalid_input',
        `The key file's fingerprint is ${groupedFingerprint(fingerprint)}, not the ${groupedFingerprint(typed)} you were given: check with the organisation before trusting it.`,
        { fingerprint: ['Does not match the key file.'] },
      );
    }
    fingerprint = typed;
  }
  if (fingerprint === null) throw new RecordError('invalid_input', 'Give the public key file or the fingerprint.', { fingerprint: ['Required.'] });
  const name = request.name?.trim() || `Organisation with key ${groupedFingerprint(fingerprint).slice(0, 9)}`;

  return db.transaction((tx) => {
    const existing = tx.select().from(trustedKeys).where(eq(trustedKeys.fingerprint, fingerprint)).get();
    if (existing) {
      if (existing.revokedAt !== null) {
        throw new RecordError(
          'conflict',
          `The key ${groupedFingerprint(fingerprint)} (${existing.name}) was revoked on ${existing.revokedAt}; a revoked key cannot be trusted again.`,
        );
      }
      if (organisationId !== null && existing.organisationId !== null && existing.organisationId !== organisationId) {
        throw new RecordError(
          'conflict',
          `The key ${groupedFingerprint(fingerprint)} (${displayText(existing.name)}) already speaks for organisation ${displayText(existing.organisationId)}; ` +
            `a key speaks for one organisation only, so it cannot also be trusted for ${organisationId}.`,
          { organisationId: [`This key is bound to ${displayText(existing.organisationId)}.`] },
        );
      }
      // Keep the key file once it is known: it lets the analyst show it again later.
      if (existing.publicKeyPem === null && request.publicKeyPem !== undefined) {
        tx.update(trustedKeys).set({ publicKeyPem: request.publicKeyPem }).where(eq(trustedKeys.id, existing.id)).run();
      }
      if (organisationId !== null && existing.organisationId === null) {
        tx.update(trustedKeys).set({ organisationId }).where(eq(trustedKeys.id, existing.id)).run();
      }
      return { key: toTrusted(tx.select().from(trustedKeys).where(eq(trustedKeys.id, existing.id)).get()!), alreadyTrusted: true };
    }
    const row = tx
      .insert(trustedKeys)
      .values({ name, fingerprint, publicKeyPem: request.publicKeyPem ?? null, organisationId, addedAt: isoSeconds(request.now ?? new Date()) })
      .returning()
      .get();
    return { key: toTrusted(row), alreadyTrusted: false };
  });
}

export function revokeKey(db: AreaDb, fingerprintInput: string, reason: string | null = null, now = new Date()): TrustedKey {
  const fingerprint = normaliseFingerprint(fingerprintInput);
  if (fingerprint === null)
    throw new RecordError('invalid_input', 'A fingerprint is 64 hex digits (spaces and colons are allowed).', {
      fingerprint: ['A fingerprint is 64 hex digits.'],
    });
  return db.transaction((tx) => {
    const existing = tx.select().from(trustedKeys).where(eq(trustedKeys.fingerprint, fingerprint)).get();
    if (!existing) throw new RecordError('not_found', `No trusted key has the fingerprint ${groupedFingerprint(fingerprint)}.`);
    if (existing.revokedAt !== null) return toTrusted(existing);
    tx.update(trustedKeys)
      .set({ revokedAt: isoSeconds(now), revokedReason: reason })
      .where(eq(trustedKeys.id, existing.id))
      .run();
    return toTrusted(tx.select().from(trustedKeys).where(eq(trustedKeys.id, existing.id)).get()!);
  });
}

/** The other keys bound to an organisation id (revoked ones included: the binding outlives the key). */
export function keysBoundTo(db: AreaDb, organisationId: string): TrustedKey[] {
  return db.select().from(trustedKeys).where(eq(trustedKeys.organisationId, organisationId)).orderBy(asc(trustedKeys.id)).all().map(toTrusted);
}

export function listTrustedKeys(db: AreaDb): TrustedKey[] {
  return db.select().from(trustedKeys).orderBy(asc(trustedKeys.name)).all().map(toTrusted);
}
