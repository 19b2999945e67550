/**
 * The fast schema check (core/bundle/payload-parse.ts) against zod's BundlePayload.safeParse:
 * the same verdict and the same data for real payloads, and for payloads whose cells are broken
 * in every way the schema forbids (the same issues, so the same reason code for a refusal).
 */
import { describe, expect, it } from 'vitest';
import { parseBundlePayload } from '../../src-main/core/bundle/payload-parse.ts';
import { BundlePayload } from '../../src-main/core/bundle/schema.ts';
import { seededRandom } from '../../src-main/core/demo.ts';
import { demoRows, lastMonths, newKey, payloadOf } from '../area/fixtures.ts';

function expectSameOutcome(value: unknown): boolean {
  const fast = parseBundlePayload(value);
  const zod = BundlePayload.safeParse(value);
  expect(fast.success).toBe(zod.success);
  if (fast.success && zod.success) expect(fast.data).toEqual(zod.data);
  else expect(fast.error!.issues).toEqual(zod.error!.issues);
  return zod.success;
}

describe('the fast schema check', () => {
  const months = lastMonths(12);
  const rows = demoRows(9, 200, months[0]!, months[11]!);
  const genuine = () =>
    JSON.parse(JSON.stringify(payloadOf({ org: { id: 'org-1', name: 'One' }, key: newKey(), from: months[0]!, to: months[11]!, sequence: 1, rows })));

  it('accepts a real payload with the same data as zod', () => {
    expect(expectSameOutcome(genuine())).toBe(true);
  });

  it('refuses every kind of broken cell exactly as zod does', () => {
    const breakages: ((cell: Record<string, unknown>) => unknown)[] = [
      (c) => ({ ...c, extra: 1 }),
      (c) => ({ key: c.key, people: c.people }),
      (c) => ({ ...c, people: -1 }),
      (c) => ({ ...c, people: 10_000_001 }),
      (c) => ({ ...c, people: 1.5 }),
      (c) => ({ ...c, presentations: 'hidden' }),
      (c) => ({ ...c, presentations: null }),
      (c) => ({ ...c, key: 'a' }),
      (c) => ({ ...c, key: [1, 2, 3] }),
      (c) => ({ ...c, key: ['x'.repeat(65), 'a', 'b'] }),
      (c) => ({ ...c, key: Array.from({ length: 9 }, () => 'a') }),
      () => null,
      () => [1, 2, 3],
      () => 'cell',
    ];
    const random = seededRandom(5);
    for (const breakIt of breakages) {
      for (let round = 0; round < 3; round++) {
        const payload = genuine();
        const table = payload.tables[Math.floor(random() * payload.tables.length)];
        if (table.cells.length === 0) continue;
        const at = Math.floor(random() * table.cells.length);
        table.cells[at] = breakIt(table.cells[at]);
        expect(expectSameOutcome(payload)).toBe(false);
      }
    }
    // Broken outside the cells, with valid cells: zod's verdict on the rest.
    const noCells = genuine();
    noCells.tables[0].cells = 'none';
    expect(expectSameOutcome(noCells)).toBe(false);
    const extraField = { ...genuine(), surprise: true };
    expect(expectSameOutcome(extraField)).toBe(false);
    const badTable = genuine();
    badTable.tables[1].id = 'not-a-table';
    expect(expectSameOutcome(badTable)).toBe(false);
    expect(expectSameOutcome({ ...genuine(), tables: 'x' })).toBe(false);
    expect(expectSameOutcome(null)).toBe(false);
  });
});
