/**
 * The shared area linkage key for match keys (docs/bundle-format.md §5), kept in `settings`
 * sealed exactly like the signing key (safeStorage or the signing passphrase; see
 * signing-keys.ts). Only whether it is set and its public key id are ever shown; it is never
 * exported, logged or returned by any call.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { LinkageKey, linkageKeyId } from '../../core/bundle/match-keys.ts';
import type { CaseDb } from '../open.ts';
import { RecordError } from '../../core/errors.ts';
import { settings } from '../schema.ts';
import { KeyUnlockError, protectorFor, type KeySources } from './signing-keys.ts';

export const LINKAGE_KEY_SETTING = 'bundle.linkageKey';

const StoredLinkageKey = z.object({
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  protection: z.string().min(1),
  sealed: z.string().min(1),
});

export interface LinkageKeyStatus {
  set: boolean;
  /** linkageKeyId() of the stored key: lets organisations check they hold the same key without showing it. */
  keyId: string | null;
}

function stored(db: CaseDb): z.infer<typeof StoredLinkageKey> | null {
  const row = db.select().from(settings).where(eq(settings.key, LINKAGE_KEY_SETTING)).get();
  if (!row) return null;
  const parsed = StoredLinkageKey.safeParse(JSON.parse(row.value));
  if (!parsed.success) throw new KeyUnlockError('The stored area linkage key is damaged; clear it and enter it again.');
  return parsed.data;
}

/** The protectors speak of "the signing key"; here the secret is the linkage key (same passphrase). */
function inLinkageKeyTerms<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof KeyUnlockError) throw new KeyUnlockError(error.message.replace(/signing key/g, 'area linkage key'));
    throw error;
  }
}

export function linkageKeyStatus(db: CaseDb): LinkageKeyStatus {
  const row = stored(db);
  return { set: row !== null, keyId: row?.keyId ?? null };
}

/** Validates, seals and stores the key (replacing any earlier one). */
export function setLinkageKey(db: CaseDb, key: string, sources: KeySources = {}): LinkageKeyStatus {
  const parsed = LinkageKey.safeParse(key);
  if (!parsed.success) {
    const message = parsed.error.issues[0]!.message;
    throw new RecordError('invalid_input', message, { linkageKey: [message] });
  }
  const protector = inLinkageKeyTerms(() => protectorFor(null, sources));
  const value = JSON.stringify({
    keyId: linkageKeyId(parsed.data),
    protection: protector.kind,
    sealed: protector.seal(Buffer.from(parsed.data, 'utf8')),
  });
  db.transaction((tx) => {
    tx.insert(settings).values({ key: LINKAGE_KEY_SETTING, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run();
  });
  return linkageKeyStatus(db);
}

export function clearLinkageKey(db: CaseDb): LinkageKeyStatus {
  db.delete(settings).where(eq(settings.key, LINKAGE_KEY_SETTING)).run();
  return linkageKeyStatus(db);
}

/** The stored key in clear for one export, or null when none is set (match keys off). */
export function unlockLinkageKey(db: CaseDb, sources: KeySources = {}): string | null {
  const row = stored(db);
  if (!row) return null;
  const key = inLinkageKeyTerms(() => protectorFor(row.protection, sources).unseal(row.sealed).toString('utf8'));
  if (linkageKeyId(key) !== row.keyId) throw new KeyUnlockError('The stored area linkage key does not match its key id; clear it and enter it again.');
  return key;
}
