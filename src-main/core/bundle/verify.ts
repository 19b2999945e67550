/**
 * Verifying a `.needmap-bundle` entirely in memory: nothing is ever extracted to disk. Cheap
 * checks first: the ZIP's directory must list exactly bundle.json, bundle.json.sig and
 * signer.pub.pem, each within a size limit; then the signer's key is read and checked (the
 * fingerprint the receiver expects, and the caller's own check — trusted, not revoked) before the
 * payload is even inflated. Then the signature, the schema version, the payload's shape, its
 * content (payload-checks.ts) and its own fingerprint field.
 */
import { isUtf8 } from 'node:buffer';
import crypto, { type KeyObject } from 'node:crypto';
import yauzl from 'yauzl';
import { canonicalFormProblem } from './canonical-check.ts';
import { BUNDLE_ENTRIES, ENTRY_PAYLOAD, ENTRY_PUBLIC_KEY, ENTRY_SIGNATURE, fingerprintOf, groupedFingerprint, normaliseFingerprint } from './package.ts';
import { displayText } from '../display-text.ts';
import { payloadProblem, schemaProblem, type PayloadProblemReason } from './payload-checks.ts';
import { parseBundlePayload } from './payload-parse.ts';
import { BUNDLE_SCHEMA_ID, BUNDLE_SCHEMA_PREFIX, BundlePayload, RETIRED_SCHEMA_IDS, universeSize } from './schema.ts';

export const VERIFY_LIMITS = {
  /** The whole file, read into memory before anything else. */
  fileBytes: 128 * 1024 * 1024,
  entries: {
    [ENTRY_PAYLOAD]: 96 * 1024 * 1024,
    [ENTRY_SIGNATURE]: 64,
    [ENTRY_PUBLIC_KEY]: 4096,
  } as Record<string, number>,
};

export type VerifyFailureReason =
  | 'malformed-zip'
  | 'oversized-file'
  | 'unexpected-entry'
  | 'unsafe-path'
  | 'duplicate-entry'
  | 'missing-entry'
  | 'oversized-entry'
  | 'bad-public-key'
  | 'fingerprint-mismatch'
  | 'bad-signature'
  | 'altered-payload'
  | 'unknown-schema-version'
  | 'retired-schema-version'
  | 'inconsistent-fingerprint'
  | PayloadProblemReason;

export class BundleVerifyError extends Error {
  constructor(
    readonly reason: VerifyFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'BundleVerifyError';
  }
}

export interface VerifiedBundle {
  payload: BundlePayload;
  payloadBytes: Buffer;
  fingerprint: string;
  groupedFingerprint: string;
  publicKeyPem: string;
}

export type VerifyResult = ({ ok: true } & VerifiedBundle) | { ok: false; reason: VerifyFailureReason; message: string };

function fail(reason: VerifyFailureReason, message: string): never {
  throw new BundleVerifyError(reason, message);
}

function openZip(buffer: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: true }, (error, zip) =>
      error ? reject(error) : resolve(zip),
    );
  });
}

function unsafeName(name: string): boolean {
  return name.startsWith('/') || name.includes('\\') || /^[a-zA-Z]:/.test(name) || name.split('/').includes('..');
}

/** Reads one entry's bytes into memory, stopping at its limit whatever the header claims. */
function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) return reject(new BundleVerifyError('malformed-zip', `The ZIP is damaged: ${error.message}.`));
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          stream.destroy();
          reject(new BundleVerifyError('oversized-entry', `${entry.fileName} is larger than ${limit} bytes.`));
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', (e: Error) =>
        reject(e instanceof BundleVerifyError ? e : new BundleVerifyError('malformed-zip', `The ZIP is damaged: ${e.message}.`)),
      );
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

/** The ZIP's entries from its central directory, checked (names, count, duplicates, declared sizes) without reading any content. */
async function listBundleEntries(buffer: Buffer): Promise<{ zip: yauzl.ZipFile; entries: Map<string, yauzl.Entry> }> {
  if (buffer.length > VERIFY_LIMITS.fileBytes) fail('oversized-file', `The file is larger than ${VERIFY_LIMITS.fileBytes} bytes.`);
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(buffer);
  } catch (error) {
    return fail('malformed-zip', `Not a readable ZIP: ${(error as Error).message}.`);
  }
  if (zip.entryCount > BUNDLE_ENTRIES.length) {
    zip.close();
    fail('unexpected-entry', `The ZIP holds ${zip.entryCount} entries; a bundle holds exactly ${BUNDLE_ENTRIES.join(', ')}.`);
  }
  const entries = new Map<string, yauzl.Entry>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (error: Error) => {
        const message = error.message;
        if (/absolute path|invalid relative path|invalid characters in fileName/.test(message)) {
          reject(new BundleVerifyError('unsafe-path', `Refused an entry with an unsafe path (${message}).`));
        } else reject(error);
      });
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        if (unsafeName(name)) return reject(new BundleVerifyError('unsafe-path', `Refused an entry with an unsafe path: ${JSON.stringify(name)}.`));
        const limit = VERIFY_LIMITS.entries[name];
        if (limit === undefined)
          return reject(
            new BundleVerifyError('unexpected-entry', `Unexpected entry ${JSON.stringify(name)}; a bundle holds exactly ${BUNDLE_ENTRIES.join(', ')}.`),
          );
        if (entries.has(name)) return reject(new BundleVerifyError('duplicate-entry', `The entry ${name} appears twice.`));
        if (entry.uncompressedSize > limit) {
          return reject(new BundleVerifyError('oversized-entry', `${name} declares ${entry.uncompressedSize} bytes; the limit is ${limit}.`));
        }
        entries.set(name, entry);
        zip.readEntry();
      });
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    if (error instanceof BundleVerifyError) throw error;
    return fail('malformed-zip', `The ZIP is damaged: ${(error as Error).message}.`);
  }
  for (const name of BUNDLE_ENTRIES) {
    if (!entries.has(name)) {
      zip.close();
      fail('missing-entry', `The entry ${name} is missing.`);
    }
  }
  return { zip, entries };
}

/** The signer, as known once the ZIP's entries and its small key entry are read — before the payload is inflated or parsed. */
export interface SignerIdentity {
  fingerprint: string;
  groupedFingerprint: string;
}

export interface VerifyOptions {
  /** The fingerprint the receiver expects (64 hex digits; spaces and colons allowed). */
  expectedFingerprint?: string;
  /**
   * Called with the signer's fingerprint before the payload is read: throw to refuse the file
   * there (e.g. an untrusted or revoked key), so a large payload from a stranger is never parsed.
   */
  checkSigner?: (signer: SignerIdentity) => void;
}

/** The three entries' bytes, or a BundleVerifyError saying exactly what is wrong with the ZIP. */
export async function readBundleEntries(
  buffer: Buffer,
  beforePayload?: (entries: { signature: Buffer; publicKeyPem: Buffer }) => void,
): Promise<Record<(typeof BUNDLE_ENTRIES)[number], Buffer>> {
  const { zip, entries } = await listBundleEntries(buffer);
  try {
    const read = (name: (typeof BUNDLE_ENTRIES)[number]) => readEntry(zip, entries.get(name)!, VERIFY_LIMITS.entries[name]!);
    // The small entries first: the key decides whether the payload is worth reading at all.
    const signature = await read(ENTRY_SIGNATURE);
    const publicKeyPem = await read(ENTRY_PUBLIC_KEY);
    beforePayload?.({ signature, publicKeyPem });
    const payload = await read(ENTRY_PAYLOAD);
    return { [ENTRY_PAYLOAD]: payload, [ENTRY_SIGNATURE]: signature, [ENTRY_PUBLIC_KEY]: publicKeyPem };
  } finally {
    zip.close();
  }
}

function parsePublicKey(pem: Buffer): KeyObject {
  let key: KeyObject;
  try {
    key = crypto.createPublicKey({ key: pem.toString('utf8'), format: 'pem' });
  } catch (error) {
    return fail('bad-public-key', `signer.pub.pem is not a readable public key (${(error as Error).message}).`);
  }
  if (key.asymmetricKeyType !== 'ed25519') fail('bad-public-key', `signer.pub.pem is a ${key.asymmetricKeyType} key, not Ed25519.`);
  return key;
}

/** Why bytes are not a UTF-8 JSON text, or null when they are. */
function notJson(bytes: Buffer): string | null {
  if (!isUtf8(bytes)) return 'it is not valid UTF-8';
  try {
    JSON.parse(bytes.toString('utf8'));
    return null;
  } catch {
    return 'it is not valid JSON';
  }
}

/** Whether bytes are a JSON text in exactly its RFC 8785 canonical form. */
function parseCanonical(bytes: Buffer): { ok: true; value: unknown } | { ok: false; why: string } {
  // isUtf8 is strict (no overlong forms, no encoded surrogates): the same test as a lossless round trip, without the copy.
  if (!isUtf8(bytes)) return { ok: false, why: 'it is not valid UTF-8' };
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, why: 'it is not valid JSON' };
  }
  // One pass over the text instead of re-serialising the value and comparing (canonicalize(value) === text).
  const problem = canonicalFormProblem(text);
  if (problem !== null) return { ok: false, why: `it is not in canonical (RFC 8785) form (${problem})` };
  return { ok: true, value };
}

/** The signer's key and fingerprint from signer.pub.pem, checked against the expected fingerprint and the caller's own check. */
function checkSigner(publicKeyPem: Buffer, options: VerifyOptions): { publicKey: KeyObject; fingerprint: string } {
  const publicKey = parsePublicKey(publicKeyPem);
  const fingerprint = fingerprintOf(publicKey);
  if (options.expectedFingerprint !== undefined) {
    const expected = normaliseFingerprint(options.expectedFingerprint);
    if (expected === null) throw new Error('The expected fingerprint must be 64 hex digits (spaces and colons allowed).');
    if (expected !== fingerprint) {
      fail(
        'fingerprint-mismatch',
        `Fingerprint mismatch: the bundle was signed by ${groupedFingerprint(fingerprint)}, not the expected ${groupedFingerprint(expected)}.`,
      );
    }
  }
  options.checkSigner?.({ fingerprint, groupedFingerprint: groupedFingerprint(fingerprint) });
  return { publicKey, fingerprint };
}

/**
 * Throws BundleVerifyError with the exact reason (or whatever `checkSigner` throws); returns the
 * verified payload. The cheap checks come first: the ZIP's directory, then the key and who it
 * is, and only then is the payload inflated, its signature checked and its text parsed.
 */
export async function verifyBundleOrThrow(buffer: Buffer, options: VerifyOptions = {}): Promise<VerifiedBundle> {
  const entries = await readBundleEntries(buffer, ({ publicKeyPem }) => void checkSigner(publicKeyPem, options));
  return verifyEntriesOrThrow(entries, { checkSigner: () => {} });
}

/** The checks after the ZIP is read: key, expected fingerprint, signature, schema, payload, consistency. */
export function verifyEntriesOrThrow(entries: Record<(typeof BUNDLE_ENTRIES)[number], Buffer>, options: VerifyOptions = {}): VerifiedBundle {
  const { publicKey, fingerprint } = checkSigner(entries[ENTRY_PUBLIC_KEY], options);
  const payloadBytes = entries[ENTRY_PAYLOAD];
  const signature = entries[ENTRY_SIGNATURE];
  if (signature.length !== 64) fail('bad-signature', `Bad signature: bundle.json.sig is ${signature.length} bytes, an Ed25519 signature is 64.`);
  if (!crypto.verify(null, payloadBytes, publicKey, signature)) {
    // The signature cannot say what changed; a payload that is no longer even JSON clearly was.
    const why = notJson(payloadBytes);
    if (why) fail('altered-payload', `Altered payload: bundle.json does not match its signature and ${why}.`);
    fail(
      'bad-signature',
      'Bad signature: bundle.json.sig does not verify bundle.json with signer.pub.pem (the payload or the signature was changed after signing).',
    );
  }
  const parsed = parseCanonical(payloadBytes);
  if (!parsed.ok) fail('invalid-payload', `bundle.json is signed but ${parsed.why}.`);

  const schemaId = (parsed.value as { schema?: unknown } | null)?.schema;
  if (schemaId !== BUNDLE_SCHEMA_ID) {
    const retired = typeof schemaId === 'string' ? RETIRED_SCHEMA_IDS[schemaId] : undefined;
    if (retired !== undefined) {
      fail(
        'retired-schema-version',
        `Correctly signed, but in the retired format ${schemaId}, which is no longer accepted: ${retired}. Ask the organisation to export the same months again with an up-to-date NeedMap (a ${BUNDLE_SCHEMA_ID} bundle).`,
      );
    }
    const known = typeof schemaId === 'string' && schemaId.startsWith(BUNDLE_SCHEMA_PREFIX);
    fail(
      'unknown-schema-version',
      known
        ? `Unknown schema version ${JSON.stringify(schemaId)}: this reader understands ${BUNDLE_SCHEMA_ID}.`
        : `Unknown schema ${JSON.stringify(schemaId ?? null)}: this reader understands ${BUNDLE_SCHEMA_ID}.`,
    );
  }
  const payload = parseBundlePayload(parsed.value);
  if (!payload.success) {
    const found = schemaProblem(payload.error.issues);
    fail(found.reason, `bundle.json does not match ${BUNDLE_SCHEMA_ID}: ${found.message}`);
  }
  if (payload.data.signer.fingerprint !== fingerprint) {
    fail('inconsistent-fingerprint', `bundle.json names signer ${payload.data.signer.fingerprint} but signer.pub.pem has fingerprint ${fingerprint}.`);
  }
  const found = payloadProblem(payload.data);
  if (found) fail(found.reason, found.message);
  return {
    payload: payload.data,
    payloadBytes,
    fingerprint,
    groupedFingerprint: groupedFingerprint(fingerprint),
    publicKeyPem: entries[ENTRY_PUBLIC_KEY].toString('utf8'),
  };
}

export async function verifyBundle(buffer: Buffer, options: VerifyOptions = {}): Promise<VerifyResult> {
  try {
    return { ok: true, ...(await verifyBundleOrThrow(buffer, options)) };
  } catch (error) {
    if (error instanceof BundleVerifyError) return { ok: false, reason: error.reason, message: error.message };
    throw error;
  }
}

/** A few lines a person can read after a successful check; text from the bundle has its control characters escaped. */
export function verifiedSummary(v: VerifiedBundle): string {
  const p = v.payload;
  const cells = p.tables.reduce((n, t) => n + universeSize(t.universe), 0);
  return [
    `Valid NeedMap bundle (${p.schema}), signature OK.`,
    `Organisation: ${displayText(p.organisation.name)} (${displayText(p.organisation.id)}), bundle #${p.sequence}`,
    `Months: ${p.period.from} to ${p.period.to} (${p.period.months.length}), created ${p.createdAt} by NeedMap ${displayText(p.software.version)}`,
    `Disclosure control: ${p.disclosure.policy}; ${p.tables.length} tables, ${cells} cells${p.matchKeys ? `; ${p.matchKeys.rows.length} match-key rows` : ''}`,
    `Signer fingerprint: ${v.groupedFingerprint}`,
  ].join('\n');
}
