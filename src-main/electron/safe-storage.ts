/**
 * Electron's safeStorage (the OS keychain: DPAPI, Keychain, libsecret) as the "platform" protector
 * of the database key slots and of the bundle signing key, so staff on their own account are not
 * asked for a passphrase. Not used where the OS offers no real protection (Linux "basic_text").
 */
import { safeStorage } from 'electron';
import type { KeyWrapper, SlotSeal } from '../core/protect/keys.ts';
import { KeyUnlockError, type KeyProtector } from '../db/bundle/signing-keys.ts';

const KIND = 'electron-safe-storage';

export function platformProtectionAvailable(): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false;
  return process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text';
}

export const safeStorageKeyWrapper: KeyWrapper = {
  kind: KIND,
  wrap(dataKey: Buffer, associated: string): SlotSeal {
    // The associated label is sealed with the key so a slot cannot be moved to another database.
    const sealed = safeStorage.encryptString(`${associated}\n${dataKey.toString('base64')}`);
    return { wrapper: KIND, kdf: null, iv: null, tag: null, data: sealed.toString('base64') };
  },
  unwrap(seal: SlotSeal, associated: string): Buffer | null {
    if (seal.wrapper !== KIND) return null;
    try {
      const [label, key] = safeStorage.decryptString(Buffer.from(seal.data, 'base64')).split('\n');
      return label === associated && key ? Buffer.from(key, 'base64') : null;
    } catch {
      return null;
    }
  },
};

export const safeStorageKeyProtector: KeyProtector = {
  kind: KIND,
  seal: (secret: Buffer) => safeStorage.encryptString(secret.toString('base64')).toString('base64'),
  unseal(sealed: string): Buffer {
    try {
      return Buffer.from(safeStorage.decryptString(Buffer.from(sealed, 'base64')), 'base64');
    } catch {
      throw new KeyUnlockError("This computer's account cannot unlock the signing key (was it made on another computer or account?).");
    }
  },
};
