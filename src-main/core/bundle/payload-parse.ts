/**
 * The payload's schema check, fast. A year's bundle lists thousands of cells, and zod's strict
 * object check costs about a microsecond and a half per cell — the largest part of verifying a
 * large bundle. Every cell has the same three fields, so they are checked here by hand, exactly
 * as schema.ts's BundleCell says (a strict object: `key` an array of at most 8 strings of at most
 * 64 characters, `people` and `presentations` each a whole number from 0 to MAX_COUNT or
 * "suppressed"), and zod checks everything else. A payload with any cell that fails the hand
 * check goes through zod whole, so a refusal's issues — and its reason code — are zod's own.
 * tests/bundle/payload-parse.test.ts checks the two agree.
 */
import { BundlePayload, MAX_COUNT, SUPPRESSED, type BundleTable } from './schema.ts';

type ParseResult = ReturnType<typeof BundlePayload.safeParse>;

function isCount(value: unknown): boolean {
  return value === SUPPRESSED || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_COUNT);
}

function isCell(cell: unknown): boolean {
  if (typeof cell !== 'object' || cell === null || Array.isArray(cell)) return false;
  const keys = Object.keys(cell);
  if (keys.length !== 3) return false;
  const { key, people, presentations } = cell as Record<string, unknown>;
  if (!Array.isArray(key) || key.length > 8 || !('people' in cell) || !('presentations' in cell)) return false;
  for (const value of key) if (typeof value !== 'string' || value.length > 64) return false;
  return isCount(people) && isCount(presentations);
}

/** BundlePayload.safeParse, with the tables' cells checked by hand: the same outcome, faster. */
export function parseBundlePayload(value: unknown): ParseResult {
  const tables = (value as { tables?: unknown } | null)?.tables;
  if (typeof value !== 'object' || value === null || !Array.isArray(tables)) return BundlePayload.safeParse(value);
  const cellLists: unknown[][] = [];
  for (const table of tables) {
    const cells = (table as { cells?: unknown } | null)?.cells;
    if (!Array.isArray(cells) || !cells.every(isCell)) return BundlePayload.safeParse(value);
    cellLists.push(cells);
  }
  // Everything but the cells through zod (each table with an empty list of cells in their place).
  const rest = BundlePayload.safeParse({ ...value, tables: tables.map((table) => ({ ...(table as object), cells: [] })) });
  if (!rest.success) return BundlePayload.safeParse(value);
  // The cells as parsed: plain objects with exactly the three fields zod would have copied.
  rest.data.tables.forEach((table, i) => (table.cells = cellLists[i] as BundleTable['cells']));
  return rest;
}
