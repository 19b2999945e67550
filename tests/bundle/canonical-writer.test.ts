/**
 * The fast canonical writer (core/bundle/canonical-writer.ts) against the general path it
 * replaced (`assertIntegersAndStrings` + the `canonicalize` library): the same bytes for real
 * bundles made by the export code, for payloads built from demo databases with both disclosure
 * policies and match keys, for random payloads of the bundle's shape, and for arbitrary values
 * (which must give the same bytes or the same error).
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fastCanonicalBytes } from '../../src-main/core/bundle/canonical-writer.ts';
import { DISCLOSURE_POLICIES } from '../../src-main/core/bundle/disclosure.ts';
import { canonicalBytes, generalCanonicalBytes } from '../../src-main/core/bundle/package.ts';
import { buildMatchKeySection } from '../../src-main/core/bundle/match-keys.ts';
import { monthsBetween } from '../../src-main/core/bundle/period.ts';
import type { BundlePayload } from '../../src-main/core/bundle/schema.ts';
import { wholeQuarters, type PresentationRow } from '../../src-main/core/bundle/tables.ts';
import { verifyBundle } from '../../src-main/core/bundle/verify.ts';
import { seededRandom } from '../../src-main/core/demo.ts';
import { exportBundle, readMatchKeyPeople } from '../../src-main/db/bundle/export.ts';
import { demoRows, lastMonths, newKey, payloadOf } from '../area/fixtures.ts';
import { filledContext, PASSPHRASE, recentMonths } from './fixtures.ts';

/** What the general path does with a value: its bytes, or the message of the error it throws. */
function general(value: unknown): { bytes: Buffer } | { error: string } {
  try {
    return { bytes: generalCanonicalBytes(value as BundlePayload) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function viaCanonicalBytes(value: unknown): { bytes: Buffer } | { error: string } {
  try {
    return { bytes: canonicalBytes(value as BundlePayload) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function expectSameBytes(payload: BundlePayload): void {
  const fast = fastCanonicalBytes(payload);
  // A payload of the bundle's own shape must take the fast path, or the test proves nothing.
  expect(fast).not.toBeNull();
  const expected = generalCanonicalBytes(payload);
  expect(fast!.length).toBe(expected.length);
  expect(fast!.equals(expected)).toBe(true);
}

describe('the fast canonical writer writes the same bytes as the general path', () => {
  it('for a real exported bundle: the bundle.json that was signed', async () => {
    const ctx = await filledContext();
    const { from, to } = recentMonths();
    const result = await exportBundle(ctx.caseDb, ctx.taxonomy, { from, to, softwareVersion: ctx.version, keySources: { passphrase: PASSPHRASE } });
    const verified = await verifyBundle(result.file);
    if (!verified.ok) throw new Error(verified.message);
    expect(verified.payloadBytes.equals(generalCanonicalBytes(result.payload))).toBe(true);
    expectSameBytes(result.payload);
  });

  it('for payloads built from demo databases: both policies, with and without match keys', () => {
    const months = lastMonths(12);
    const key = newKey();
    for (const seed of [3, 4]) {
      const rows = demoRows(seed, 250, months[0]!, months[11]!);
      for (const policy of ['cell-key', 'nhs-england'] as const) {
        const matchKeys = buildMatchKeySection(
          'a linkage key of thirty-two characters or more',
          rows.presentations.slice(0, 400).map((p: PresentationRow, i) => ({
            quarter: `${p.month.slice(0, 4)}-Q${Math.ceil(Number(p.month.slice(5)) / 3)}`,
            district: p.district,
            firstName: `Name${i % 37}`,
            lastName: `Family ${i % 11} – Ødegård`,
            dateOfBirth: '1980-01-01',
            externalIdType: i % 2 ? 'nhs' : null,
            externalId: i % 2 ? String(9434765919 + i) : null,
            erased: false,
            recordKey: p.recordKey,
          })),
          { policy: DISCLOSURE_POLICIES[policy], organisationId: 'org-1', wholeQuarters: wholeQuarters(monthsBetween(months[0]!, months[11]!)) },
        );
        for (const withKeys of [false, true]) {
          expectSameBytes(
            payloadOf({
              org: { id: `org-${seed}`, name: 'Riverside "Advice" Centre \\ Café — 中文 😀\n' },
              key,
              from: months[0]!,
              to: months[11]!,
              sequence: seed,
              rows,
              policy,
              ...(withKeys ? { matchKeys } : {}),
            }),
          );
        }
      }
    }
  });

  it('for a case database read for match keys (real people read, keys made)', async () => {
    const ctx = await filledContext();
    const { from, to } = recentMonths();
    const people = readMatchKeyPeople(ctx.caseDb, from, to);
    expect(people.length).toBeGreaterThan(0);
    const section = buildMatchKeySection('another linkage key of thirty-two characters', people, {
      policy: DISCLOSURE_POLICIES['cell-key'],
      organisationId: '1234567',
      wholeQuarters: wholeQuarters(monthsBetween(from, to)),
    });
    const payload = payloadOf({ org: { id: '1234567', name: 'Riverside' }, key: newKey(), from, to, sequence: 1, rows: { presentations: [], outcomes: [] } });
    expectSameBytes({ ...payload, matchKeys: section });
  });

  it('for 400 random payloads of the bundle shape (strings with escapes, surrogate pairs, keys out of order, large integers)', () => {
    const random = seededRandom(20261127);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const alphabet = [
      'a',
      'Z',
      '0',
      ' ',
      '-',
      '"',
      '\\',
      '/',
      '\n',
      '\t',
      '\b',
      '\f',
      '\r',
      '\u0000',
      '\u001f',
      '\u007f',
      'é',
      '£',
      '\u2028',
      '\u2029',
      '😀',
      '中',
      '\uffff',
    ];
    const text = (max: number) => Array.from({ length: Math.floor(random() * max) }, () => pick(alphabet)).join('');
    const count = () => pick([0, 1, 2, 5, 10, 123, 9_999_999, 'suppressed'] as const);
    const int = () => pick([0, 1, -1, 7, 2 ** 31, -(2 ** 31), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);
    for (let round = 0; round < 400; round++) {
      const dimensions = Array.from({ length: 1 + Math.floor(random() * 3) }, () => text(6));
      const universe = dimensions.map(() => Array.from({ length: 1 + Math.floor(random() * 4) }, () => text(8)));
      const tables = Array.from({ length: Math.floor(random() * 4) }, () => ({
        id: text(12),
        title: text(30),
        dimensions,
        universe,
        cells: Array.from({ length: Math.floor(random() * 30) }, () =>
          // Members in shuffled order: the writer must sort them when they are not in order.
          random() < 0.5
            ? { key: universe.map((values) => pick(values)), people: count(), presentations: count() }
            : { presentations: count(), key: universe.map((values) => pick(values)), people: count() },
        ),
        totals: { people: Array.from({ length: 3 }, count), presentations: Array.from({ length: 3 }, count) },
      }));
      const payload: Record<string, unknown> = {
        schema: 'needmap-bundle/2',
        organisation: { id: text(10), name: text(40) },
        signer: { algorithm: 'Ed25519', fingerprint: crypto.randomBytes(32).toString('hex') },
        taxonomyVersion: text(8),
        period: { from: text(7), to: text(7), months: [text(7), text(7)], quarters: [{ quarter: text(7), months: [text(7)] }] },
        sequence: int(),
        createdAt: text(20),
        software: { name: 'NeedMap', version: text(8) },
        disclosure: { policy: text(8), source: text(50), parameters: { [text(5)]: int(), [text(5)]: int(), ptable: [{ min: int(), noise: [] }] } },
        tables,
        [text(4)]: text(4), // a member the schema does not have, at a random place in the order
      };
      if (random() < 0.3) {
        payload.matchKeys = {
          notice: text(40),
          algorithm: 'HMAC-SHA256/HKDF-SHA256',
          linkageKeyId: text(16),
          keyTypes: [text(5), text(5)],
          rows: Array.from({ length: Math.floor(random() * 20) }, () => ({
            quarter: text(7),
            district: text(4),
            keys: [crypto.randomBytes(32).toString('base64url'), ''],
          })),
        };
      }
      if (random() < 0.2) payload.optional = undefined; // left out, as JSON leaves it out
      expectSameBytes(payload as unknown as BundlePayload);
    }
  });
});

describe('values outside the bundle shape take the general path', () => {
  it('gives the same bytes or the same error for floats, booleans, null, undefined in arrays, lone surrogates, class instances and deep nesting', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    const odd: unknown[] = [
      { a: 1.5 },
      { a: true },
      { a: null },
      { a: [1, undefined, 2] },
      { a: 'lone \ud800 surrogate' },
      { ['\udc00']: 1 },
      { a: new Date(0) },
      { a: Number.MAX_SAFE_INTEGER + 1 },
      { a: Number.NaN },
      { a: () => 1 },
      deep,
      { b: [deep] },
    ];
    for (const value of odd) {
      expect(fastCanonicalBytes(value)).toBeNull();
      expect(viaCanonicalBytes(value)).toEqual(general(value));
    }
  });

  it('agrees with the general path on 3,000 random values of any JSON shape', () => {
    const random = seededRandom(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const alphabet = ['a', 'b', 'B', '1', '"', '\\', '\n', '\u0001', 'é', '😀', '\ud800', '中'];
    const randomString = () => Array.from({ length: Math.floor(random() * 4) }, () => pick(alphabet)).join('');
    const scalars = [0, 1, -1, 12345, 2 ** 53, 0.5, -0, true, false, null, undefined];
    const randomValue = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.35) return random() < 0.6 ? randomString() : pick(scalars);
      if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(depth + 1));
      const object: Record<string, unknown> = {};
      for (let k = Math.floor(random() * 5); k > 0; k--) object[randomString()] = randomValue(depth + 1);
      return object;
    };
    let fastTaken = 0;
    for (let round = 0; round < 3000; round++) {
      const value = randomValue(0);
      if (fastCanonicalBytes(value) !== null) fastTaken++;
      expect(viaCanonicalBytes(value)).toEqual(general(value));
    }
    // Both paths were exercised.
    expect(fastTaken).toBeGreaterThan(300);
    expect(fastTaken).toBeLessThan(2700);
  });
});
