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
  people: number;
  /** The last client counted: rows arrive grouped by client, so a new person is a change of client. */
  lastClientId: number;
  peopleKey: number;
  presentations: number;
  presentationsKey: number;
}

/** Joins a cell's dimension values into one map key (no value contains NUL). */
const SEPARATOR = '\u0000';

/** Counts cells from rows that arrive grouped by client (see buildTables), so no per-cell Set of people is needed. */
class Tally<Row> {
  private readonly cells = new Map<string, Accumulator>();

  /** `keyOf` runs only for a row opening a new cell: per row, only the joined id is built. */
  constructor(
    private readonly idOf: (row: Row) => string,
    private readonly keyOf: (row: Row) => string[],
  ) {}

  add(row: Row, clientId: number, recordKey: number): void {
    const id = this.idOf(row);
    let acc = this.cells.get(id);
    if (!acc) {
      acc = { key: this.keyOf(row), people: 0, lastClientId: Number.NaN, peopleKey: 0, presentations: 0, presentationsKey: 0 };
      this.cells.set(id, acc);
    }
    if (acc.lastClientId !== clientId) {
      acc.lastClientId = clientId;
      acc.people++;
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
        people: policy.protect({ value: acc.people, cellKey: acc.peopleKey }),
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
  /** keyOf(row).join(SEPARATOR), built directly because it runs for every row. */
  idOf(row: Row): string;
  periodOf(row: Row): string;
}

/** Rows with all of one client's rows next to each other, keeping their order otherwise (sort is stable; already-grouped input costs one pass). */
function groupedByClient<Row extends { clientId: number }>(rows: readonly Row[]): readonly Row[] {
  return [...rows].sort((a, b) => a.clientId - b.clientId);
}

/** `rows` must be grouped by client (groupedByClient). */
function buildTable<Row extends { clientId: number; recordKey: number }>(
  spec: TableSpec<Row>,
  rows: readonly Row[],
  policy: DisclosurePolicy,
): BundleTable {
  const cells = new Tally(spec.idOf, spec.keyOf);
  const totals = new Tally(spec.periodOf, (row: Row) => [spec.periodOf(row)]);
  for (const row of rows) {
    cells.add(row, row.clientId, row.recordKey);
    // Totals come from the unrounded, unperturbed records, then are protected on their own.
    totals.add(row, row.clientId, row.recordKey);
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
    idOf: (r) => `${r.sector ?? UNKNOWN}${SEPARATOR}${r.month}${SEPARATOR}${r.category}`,
    periodOf: (r) => r.month,
  },
  {
    id: 'district-month-issue',
    title: 'Postcode district × month × issue',
    dimensions: ['postcodeDistrict', 'month', 'issue'],
    keyOf: (r) => [r.district ?? UNKNOWN, r.month, r.issueCode],
    idOf: (r) => `${r.district ?? UNKNOWN}${SEPARATOR}${r.month}${SEPARATOR}${r.issueCode}`,
    periodOf: (r) => r.month,
  },
  {
    id: 'sector-quarter-issue',
    title: 'Postcode sector × quarter × issue',
    dimensions: ['postcodeSector', 'quarter', 'issue'],
    keyOf: (r) => [r.sector ?? UNKNOWN, quarterOf(r.month), r.issueCode],
    idOf: (r) => `${r.sector ?? UNKNOWN}${SEPARATOR}${quarterOf(r.month)}${SEPARATOR}${r.issueCode}`,
    periodOf: (r) => quarterOf(r.month),
  },
  {
    id: 'area-month-decile-category',
    title: 'Whole area (local-authority total) × month × deprivation decile band × issue category',
    dimensions: ['month', 'imdDecileBand', 'category'],
    keyOf: (r) => [r.month, decileBand(r.imdDecile), r.category],
    idOf: (r) => `${r.month}${SEPARATOR}${decileBand(r.imdDecile)}${SEPARATOR}${r.category}`,
    periodOf: (r) => r.month,
  },
];

const OUTCOME_TABLE: TableSpec<OutcomeRow> = {
  id: 'remit-outcome-category-quarter',
  title: 'Within-remit issues reaching an outcome (improved / resolved / unresolved) by category × quarter',
  dimensions: ['category', 'quarter', 'outcome'],
  keyOf: (r) => [r.category, quarterOf(r.month), r.outcome],
  idOf: (r) => `${r.category}${SEPARATOR}${quarterOf(r.month)}${SEPARATOR}${r.outcome}`,
  periodOf: (r) => quarterOf(r.month),
};

export function buildTables(
  presentations: readonly PresentationRow[],
  outcomes: readonly OutcomeRow[],
  policy: DisclosurePolicy,
): BundleTable[] {
  const presentationsByClient = groupedByClient(presentations);
  return [
    ...PRESENTATION_TABLES.map((spec) => buildTable(spec, presentationsByClient, policy)),
    buildTable(OUTCOME_TABLE, groupedByClient(outcomes), policy),
  ];
}
