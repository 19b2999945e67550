/**
 * Area-level disclosure control for open data, applied to the combined cube again whatever each
 * organisation did:
 *  1. primary: a cell or total below the threshold is suppressed, and so is any cell whose
 *     combined figure is incomplete (some organisation's figure was suppressed at source — the
 *     sum would be a lower bound passed off as a count);
 *  2. secondary: each table is published with totals over its last dimension (e.g. all
 *     categories of a sector × month). Where a published total has exactly one suppressed cell
 *     under it, that cell could be recovered by subtraction, so the smallest other published
 *     cell of the group is suppressed too (or the total, when there is no other cell).
 * The same rule runs separately for people and for presentations.
 */
import type { CombinedCount } from './combine.ts';

export const DEFAULT_OPEN_DATA_THRESHOLD = 10;

export type OpenStatus = 'published' | 'suppressed-small' | 'suppressed-incomplete' | 'suppressed-secondary';

export interface OpenValue {
  value: number | null;
  status: OpenStatus;
}

export interface OpenCell {
  /** The table's dimensions; the last is "all" in a total row. */
  key: string[];
  isTotal: boolean;
  people: OpenValue;
  presentations: OpenValue;
  organisations: number;
}

export interface CubeCell {
  key: readonly string[];
  people: CombinedCount;
  presentations: CombinedCount;
}

export const TOTAL_KEY = 'all';

function primary(count: CombinedCount, threshold: number): OpenValue {
  if (count.suppressed > 0) return { value: null, status: 'suppressed-incomplete' };
  if (count.sum < threshold) return { value: null, status: 'suppressed-small' };
  return { value: count.sum, status: 'published' };
}

function sumCounts(counts: readonly CombinedCount[]): CombinedCount {
  return counts.reduce((a, c) => ({ sum: a.sum + c.sum, suppressed: a.suppressed + c.suppressed, organisations: Math.max(a.organisations, c.organisations) }), {
    sum: 0,
    suppressed: 0,
    organisations: 0,
  });
}

function secondary(total: OpenValue, cells: OpenValue[]): void {
  if (total.status !== 'published') return;
  const suppressed = cells.filter((c) => c.status !== 'published').length;
  if (suppressed !== 1) return;
  let smallest: OpenValue | null = null;
  for (const c of cells) if (c.status === 'published' && (smallest === null || c.value! < smallest.value!)) smallest = c;
  const target = smallest ?? total;
  target.value = null;
  target.status = 'suppressed-secondary';
}

function keyOrder(a: OpenCell, b: OpenCell): number {
  for (let i = 0; i < a.key.length; i++) {
    if (a.key[i] !== b.key[i]) {
      if (i === a.key.length - 1 && (a.isTotal || b.isTotal)) return a.isTotal ? 1 : -1;
      return a.key[i]! < b.key[i]! ? -1 : 1;
    }
  }
  return 0;
}

/** One table's cells with their totals over the last dimension, protected; sorted with each group's total last. */
export function protectTable(cells: readonly CubeCell[], threshold = DEFAULT_OPEN_DATA_THRESHOLD): OpenCell[] {
  if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError(`The open-data threshold must be a whole number of at least 1 (got ${threshold}).`);
  const groups = new Map<string, CubeCell[]>();
  for (const cell of cells) {
    const id = cell.key.slice(0, -1).join('\u0000');
    (groups.get(id) ?? groups.set(id, []).get(id)!).push(cell);
  }
  const out: OpenCell[] = [];
  for (const group of groups.values()) {
    const rows: OpenCell[] = group.map((c) => ({
      key: [...c.key],
      isTotal: false,
      people: primary(c.people, threshold),
      presentations: primary(c.presentations, threshold),
      organisations: Math.max(c.people.organisations, c.presentations.organisations),
    }));
    const people = sumCounts(group.map((c) => c.people));
    const presentations = sumCounts(group.map((c) => c.presentations));
    const total: OpenCell = {
      key: [...group[0]!.key.slice(0, -1), TOTAL_KEY],
      isTotal: true,
      people: primary(people, threshold),
      presentations: primary(presentations, threshold),
      organisations: Math.max(people.organisations, presentations.organisations),
    };
    secondary(
      total.people,
      rows.map((r) => r.people),
    );
    secondary(
      total.presentations,
      rows.map((r) => r.presentations),
    );
    out.push(...rows, total);
  }
  return out.sort(keyOrder);
}

export function describeRule(threshold: number): string {
  return (
    `Area-level disclosure control: every published count is at least ${threshold}; cells and totals below ${threshold} are suppressed ` +
    `(suppressed-small), as is any cell to which an organisation's own figure was suppressed at source (suppressed-incomplete). ` +
    `Each table carries totals over its last dimension ("${TOTAL_KEY}"); where a published total would leave exactly one suppressed cell ` +
    `recoverable by subtraction, the smallest other cell of that group (or else the total) is also suppressed (suppressed-secondary). ` +
    `Figures are sums over organisations of their already-protected counts; a person seen by several organisations is counted by each.`
  );
}
