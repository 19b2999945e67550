/**
 * A verified bundle in the form the area import stores it (pure). Verification can run in a
 * worker thread (db/area/verify-pool.ts), so what crosses back to the importing thread must be
 * cheap to copy: the payload's small fields as they are, and each table's listed cells as typed
 * arrays — positions into the table's universe and the counts, -1 for "suppressed" — instead of
 * thousands of small objects. The same form is made when verification runs in the importing
 * thread, so there is one way to store a bundle.
 */
import crypto from 'node:crypto';
import { displayText } from '../display-text.ts';
import { SUPPRESSED, type BundlePayload, type ProtectedCount, type TableId } from '../bundle/schema.ts';
import type { SignerIdentity, VerifiedBundle } from '../bundle/verify.ts';

/** One table's listed cells: cell i has key universe[d][keys[3i + d]] and counts people[i], presentations[i] (-1: suppressed). */
export interface ReadyTable {
  id: TableId;
  universe: string[][];
  keys: Int32Array;
  people: Int32Array;
  presentations: Int32Array;
}

/** Everything the import needs from a verified bundle. */
export interface ImportReady {
  payload: Omit<BundlePayload, 'tables'>;
  tables: ReadyTable[];
  fingerprint: string;
  groupedFingerprint: string;
  payloadSha256: string;
}

const SUPPRESSED_CODE = -1;

function countCode(count: ProtectedCount): number {
  return count === SUPPRESSED ? SUPPRESSED_CODE : count;
}

/** A stored count: null for suppressed. */
export function countOf(code: number): number | null {
  return code === SUPPRESSED_CODE ? null : code;
}

export function toImportReady(verified: VerifiedBundle): ImportReady {
  const { tables, ...rest } = verified.payload;
  return {
    payload: rest,
    tables: tables.map((table) => {
      const n = table.cells.length;
      const dims = table.universe.length;
      const positions = table.universe.map((values) => new Map(values.map((v, i) => [v, i])));
      const keys = new Int32Array(n * dims);
      const people = new Int32Array(n);
      const presentations = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const cell = table.cells[i]!;
        // The verifier has checked every key value is in its dimension's universe.
        for (let d = 0; d < dims; d++) keys[i * dims + d] = positions[d]!.get(cell.key[d]!)!;
        people[i] = countCode(cell.people);
        presentations[i] = countCode(cell.presentations);
      }
      return { id: table.id, universe: table.universe, keys, people, presentations };
    }),
    fingerprint: verified.fingerprint,
    groupedFingerprint: verified.groupedFingerprint,
    payloadSha256: crypto.createHash('sha256').update(verified.payloadBytes).digest('hex'),
  };
}

/** The typed arrays of an ImportReady, to transfer rather than copy across threads. */
export function transferablesOf(ready: ImportReady): ArrayBuffer[] {
  return ready.tables.flatMap((t) => [t.keys.buffer, t.people.buffer, t.presentations.buffer] as ArrayBuffer[]);
}

/** What the importing side knows of a key, by fingerprint. */
export interface SignerStanding {
  name: string;
  revokedAt: string | null;
}

export type SignerRefusal = { reason: 'untrusted-key' | 'revoked-key'; message: string };

/** Why a signer's bundles are refused before their payload is read (untrusted or revoked key), or null. */
export function signerRefusal(signer: SignerIdentity, standing: SignerStanding | undefined): SignerRefusal | null {
  if (!standing) {
    return {
      reason: 'untrusted-key',
      message: `signed by an untrusted key with fingerprint ${signer.groupedFingerprint}; check this fingerprint with the organisation, then trust it (its payload was not read).`,
    };
  }
  if (standing.revokedAt !== null) {
    return {
      reason: 'revoked-key',
      message: `signed by the key ${signer.groupedFingerprint} of ${displayText(standing.name)}, revoked on ${standing.revokedAt}.`,
    };
  }
  return null;
}
