/**
 * Building the bundle's tables from plain rows (one per issue presentation, one per outcome
 * reached). Counts are of distinct people and of presentations; every cell and total gets its
 * cell key from the record keys of the people in it, then goes through the disclosure policy.
 * No row field other than the dimensions below ever reaches a table.
 */
import { addToCellKey, type DisclosurePolicy } from './disclosure.ts';
import { quarterOf } from './period.ts';
import type { BundleCell, BundleTable, TableId } from './schema.ts';

export const UNKNOWN = 'unknown';

/** One issue presentation within the exported months. */
export interface PresentationRow {
  clientId: number;
  /** The client's random record key (never exported). */
  recordKey: number;
  /** YYYY-MM the issue was identified. */
  month: string;
  sector: string | null;
  district: string | null;
  imdDecile: number | null;
  issueCode: string;
  category: string;
}

export type Outcome = 'improved' | 'resolved' | 'unresolved';
export const OUTCOMES: readonly Outcome[] = ['improved', 'resolved', 'unresolved'];

/** A within-remit issue reaching an outcome in an exported month. */
export interface OutcomeRow {
  clientId: number;
  recordKey: number;
  month: string;
  category: string;
  outcome: Outcome;
}

/** IMD decile (1 = most deprived) → band of two deciles, so small areas still say something. */
export function decileBand(decile: number | null): string {
  if (decile === null || !Number.isInteger(decile) || decile < 1 || decile > 10) return UNKNOWN;
  const low = decile % 2 === 1 ? decile : decile - 1;
  return `${low}-${low + 1}`;
}

interface Accumulator {
  key: string[];
  people: Set<number>;
  peopleKey: number;
  presentations: number;
  presentationsKey: number;
}

class Tally {
  private readonly cells = new Map<string, Accumulator>();

  add(key: string[], clientId: number, recordKey: number): void {
    const id = key.join('\u0000');
    let acc = this.cells.get(id);
    if (!acc) {
      acc = { key, people: new Set(), peopleKey: 0, presentations: 0, presentationsKey: 0 };
      this.cells.set(id, acc);
    }
    if (!acc.people.has(clientId)) {
      acc.people.add(clientId);
      acc.peopleKey = addToCellKey(acc.peopleKey, recordKey);
    }
    acc.presentations++;
    // Each presentation carries its person's key, so the same presentations always get the same noise.
    acc.presentationsKey = addToCellKey(acc.presentationsKey, recordKey);
  }

  protectedCells(policy: DisclosurePolicy): BundleCell[] {
    return [...this.cells.values()]
      .sort((a, b) => compareKeys(a.key, b.key))
      .map((acc) => ({
        key: acc.key,
        people: policy.protect({ value: acc.people.size, cellKey: acc.peopleKey }),
        presentations: policy.protect({ value: acc.presentations, cellKey: acc.presentationsKey }),
      }));
  }
}

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}

interface TableSpec<Row> {
  id: TableId;
  title: string;
  dimensions: string[];
  keyOf(row: Row): string[];
  periodOf(row: Row): string;
}

function buildTable<Row extends { clientId: number; recordKey: number }>(
  spec: TableSpec<Row>,
  rows: readonly Row[],
  policy: DisclosurePolicy,
): BundleTable {
  const cells = new Tally();
  const totals = new Tally();
  for (const row of rows) {
    cells.add(spec.keyOf(row), row.clientId, row.recordKey);
    // Totals come from the unrounded, unperturbed records, then are protected on their own.
    totals.add([spec.periodOf(row)], row.clientId, row.recordKey);
  }
  return {
    id: spec.id,
    title: spec.title,
    dimensions: spec.dimensions,
    cells: cells.protectedCells(policy),
    totals: totals.protectedCells(policy).map((t) => ({ period: t.key[0]!, people: t.people, presentations: t.presentations })),
  };
}

const PRESENTATION_TABLES: TableSpec<PresentationRow>[] = [
  {
    id: 'sector-month-category',
    title: 'Postcode sector × month × issue category',
    dimensions: ['postcodeSector', 'month', 'category'],
    keyOf: (r) => [r.sector ?? UNKNOWN, r.month, r.category],
    periodOf: (r) => r.month,
  },
  {
    id: 'district-month-issue',
    title: 'Postcode district × month × issue',
    dimensions: ['postcodeDistrict', 'month', 'issue'],
    keyOf: (r) => [r.district ?? UNKNOWN, r.month, r.issueCode],
    periodOf: (r) => r.month,
  },
  {
    id: 'sector-quarter-issue',
    title: 'Postcode sector × quarter × issue',
    dimensions: ['postcodeSector', 'quarter', 'issue'],
    keyOf: (r) => [r.sector ?? UNKNOWN, quarterOf(r.month), r.issueCode],
    periodOf: (r) => quarterOf(r.month),
  },
  {
    id: 'area-month-decile-category',
    title: 'Whole area (local-authority total) × month × deprivation decile band × issue category',
    dimensions: ['month', 'imdDecileBand', 'category'],
    keyOf: (r) => [r.month, decileBand(r.imdDecile), r.category],
    periodOf: (r) => r.month,
  },
];

const OUTCOME_TABLE: TableSpec<OutcomeRow> = {
  id: 'remit-outcome-category-quarter',
  title: 'Within-remit issues reaching an outcome (improved / resolved / unresolved) by category × quarter',
  dimensions: ['category', 'quarter', 'outcome'],
  keyOf: (r) => [r.category, quarterOf(r.month), r.outcome],
  periodOf: (r) => quarterOf(r.month),
};

export function buildTables(
  presentations: readonly PresentationRow[],
  outcomes: readonly OutcomeRow[],
  policy: DisclosurePolicy,
): BundleTable[] {
  return [
    ...PRESENTATION_TABLES.map((spec) => buildTable(spec, presentations, policy)),
    buildTable(OUTCOME_TABLE, outcomes, policy),
  ];
}
