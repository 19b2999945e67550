/**
 * Turning a payload into the bytes that leave: RFC 8785 canonical JSON, a raw Ed25519 detached
 * signature over exactly those bytes, and the ZIP (`*.needmap-bundle`) that holds them with the
 * signer's public key. Uses node:crypto and in-memory buffers only — no files.
 */
import crypto, { type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import yazl from 'yazl';
import { fastCanonicalBytes } from './canonical-writer.ts';
import type { BundlePayload } from './schema.ts';

export const ENTRY_PAYLOAD = 'bundle.json';
export const ENTRY_SIGNATURE = 'bundle.json.sig';
export const ENTRY_PUBLIC_KEY = 'signer.pub.pem';
export const BUNDLE_ENTRIES = [ENTRY_PAYLOAD, ENTRY_SIGNATURE, ENTRY_PUBLIC_KEY] as const;
export const BUNDLE_FILE_EXTENSION = '.needmap-bundle';

/** Throws unless a value holds only objects, arrays, strings and safe integers (no floats, booleans or nulls). */
export function assertIntegersAndStrings(value: unknown, where = '$'): void {
  if (typeof value === 'string') return;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`${where} is ${value}: a bundle holds integers only.`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertIntegersAndStrings(v, `${where}[${i}]`));
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      assertIntegersAndStrings(v, `${where}.${k}`);
    }
    return;
  }
  throw new Error(`${where} is ${String(value)}: a bundle holds only strings and integers.`);
}

/**
 * The exact bytes of bundle.json: RFC 8785 (JCS) canonical JSON, UTF-8. A payload of the
 * bundle's own shape is written by the fast canonical writer (canonical-writer.ts); anything else
 * takes the general path, which gives the same bytes or the same error.
 */
export function canonicalBytes(payload: BundlePayload): Buffer {
  return fastCanonicalBytes(payload) ?? generalCanonicalBytes(payload);
}

/** The general path: any value checked to hold only integers and strings, then the `canonicalize` library. */
export function generalCanonicalBytes(payload: BundlePayload): Buffer {
  assertIntegersAndStrings(payload);
  const text = canonicalize(payload);
  if (text === undefined) throw new Error('The payload could not be canonicalised.');
  return Buffer.from(text, 'utf8');
}

/** SHA-256 of the DER (SubjectPublicKeyInfo) public key, lower-case hex. */
export function fingerprintOf(publicKey: KeyObject | string): string {
  const key = typeof publicKey === 'string' ? crypto.createPublicKey(publicKey) : publicKey;
  return crypto
    .createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** The fingerprint in groups of four, upper case, for reading aloud over the phone. */
export function groupedFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/.{1,4}/g) ?? []).join(' ');
}

/** Accepts a fingerprint typed with spaces, colons or in upper case; returns 64 lower-case hex digits or null. */
export function normaliseFingerprint(input: string): string | null {
  const hex = input.replace(/[\s:-]/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}

export function signBytes(bytes: Buffer, privateKey: KeyObject): Buffer {
  return crypto.sign(null, bytes, privateKey);
}

/** A fixed timestamp inside the ZIP, so the same payload always makes the same file. */
const ZIP_MTIME = new Date(Date.UTC(2000, 0, 1));

export function zipBundle(parts: { payload: Buffer; signature: Buffer; publicKeyPem: string }): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(parts.payload, ENTRY_PAYLOAD, { mtime: ZIP_MTIME, mode: 0o100644 });
  zip.addBuffer(parts.signature, ENTRY_SIGNATURE, { mtime: ZIP_MTIME, mode: 0o100644, compress: false });
  zip.addBuffer(Buffer.from(parts.publicKeyPem, 'utf8'), ENTRY_PUBLIC_KEY, { mtime: ZIP_MTIME, mode: 0o100644 });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** Canonicalise, sign and zip: the complete `.needmap-bundle` file. */
export async function packBundle(
  payload: BundlePayload,
  key: { privateKey: KeyObject; publicKeyPem: string },
): Promise<{ file: Buffer; payloadBytes: Buffer; signature: Buffer }> {
  const payloadBytes = canonicalBytes(payload);
  const signature = signBytes(payloadBytes, key.privateKey);
  const file = await zipBundle({ payload: payloadBytes, signature, publicKeyPem: key.publicKeyPem });
  return { file, payloadBytes, signature };
}
