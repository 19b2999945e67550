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
  /** A row in the cell, to read its dimension values back from at the end. */
  firstRow: number;
  people: number;
  /** The last client counted: rows arrive grouped by client, so a new person is a change of client. */
  lastClientId: number;
  peopleKey: number;
  presentations: number;
  presentationsKey: number;
}

/** Up to this many possible cells (16 MiB of slots), a table looks its cells up in an array rather than a Map. */
const DENSE_SLOTS_LIMIT = 4_000_000;

/** One dimension's values as small integers (codes[row] indexes values), computed once per row set. */
interface EncodedColumn {
  codes: Int32Array;
  values: string[];
}

/** A dimension's value for a row. Tables sharing a dimension share the function, so it is encoded once. */
type Column<Row> = (row: Row) => string;

function encodeColumn<Row>(rows: readonly Row[], valueOf: Column<Row>): EncodedColumn {
  const ids = new Map<string, number>();
  const values: string[] = [];
  const codes = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const value = valueOf(rows[i]!);
    let id = ids.get(value);
    if (id === undefined) {
      id = values.length;
      values.push(value);
      ids.set(value, id);
    }
    codes[i] = id;
  }
  return { codes, values };
}

/**
 * Counts cells from rows that arrive grouped by client (see buildTables), so no per-cell Set of
 * people is needed. A cell is identified by one integer computed from its dimensions' codes:
 * per row that is arithmetic and one Map lookup, with no string built.
 */
class Tally {
  private readonly cells: Accumulator[] = [];
  /** Cell id → index in `cells` (-1: none yet) when the ids are few enough for an array, else the Map. */
  private readonly slots: Int32Array | null;
  private readonly slotMap = new Map<number, number>();

  constructor(private readonly columns: readonly EncodedColumn[]) {
    const size = columns.reduce((n, column) => n * column.values.length, 1);
    this.slots = size <= DENSE_SLOTS_LIMIT ? new Int32Array(size).fill(-1) : null;
  }

  cellIdOf(row: number): number {
    let id = 0;
    for (const column of this.columns) id = id * column.values.length + column.codes[row]!;
    return id;
  }

  add(row: number, clientId: number, recordKey: number): void {
    const id = this.cellIdOf(row);
    const slot = this.slots ? this.slots[id]! : (this.slotMap.get(id) ?? -1);
    let acc: Accumulator;
    if (slot >= 0) acc = this.cells[slot]!;
    else {
      acc = { firstRow: row, people: 0, lastClientId: Number.NaN, peopleKey: 0, presentations: 0, presentationsKey: 0 };
      if (this.slots) this.slots[id] = this.cells.length;
      else this.slotMap.set(id, this.cells.length);
      this.cells.push(acc);
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
    return this.cells
      .map((acc) => ({ acc, key: this.columns.map((column) => column.values[column.codes[acc.firstRow]!]!) }))
      .sort((a, b) => compareKeys(a.key, b.key))
      .map(({ acc, key }) => ({
        key,
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
  /** One column per dimension, in `dimensions` order. */
  columns: Column<Row>[];
  /** The column giving the period (month or quarter) the totals are per. */
  period: Column<Row>;
}

/** Rows with all of one client's rows next to each other, keeping their order otherwise (sort is stable; already-grouped input costs one pass). */
function groupedByClient<Row extends { clientId: number }>(rows: readonly Row[]): readonly Row[] {
  return [...rows].sort((a, b) => a.clientId - b.clientId);
}

/** Encodes each column once for every table built from the same rows. */
function columnEncoder<Row>(rows: readonly Row[]): (column: Column<Row>) => EncodedColumn {
  const cache = new Map<Column<Row>, EncodedColumn>();
  return (column) => cache.get(column) ?? cache.set(column, encodeColumn(rows, column)).get(column)!;
}

/** `rows` must be grouped by client (groupedByClient); `encoded` encodes columns of these rows. */
function buildTable<Row extends { clientId: number; recordKey: number }>(
  spec: TableSpec<Row>,
  rows: readonly Row[],
  encoded: (column: Column<Row>) => EncodedColumn,
  policy: DisclosurePolicy,
): BundleTable {
  const cells = new Tally(spec.columns.map(encoded));
  const totals = new Tally([encoded(spec.period)]);
  for (let i = 0; i < rows.length; i++) {
    const { clientId, recordKey } = rows[i]!;
    cells.add(i, clientId, recordKey);
    // Totals come from the unrounded, unperturbed records, then are protected on their own.
    totals.add(i, clientId, recordKey);
  }
  return {
    id: spec.id,
    title: spec.title,
    dimensions: spec.dimensions,
    cells: cells.protectedCells(policy),
    totals: totals.protectedCells(policy).map((t) => ({ period: t.key[0]!, people: t.people, presentations: t.presentations })),
  };
}

const quarterOfMonth = new Map<string, string>();
/** quarterOf, remembered: it runs for every row of several tables. */
function cachedQuarterOf(month: string): string {
  return quarterOfMonth.get(month) ?? quarterOfMonth.set(month, quarterOf(month)).get(month)!;
}

const sectorOf: Column<PresentationRow> = (r) => r.sector ?? UNKNOWN;
const districtOf: Column<PresentationRow> = (r) => r.district ?? UNKNOWN;
const monthOf: Column<PresentationRow> = (r) => r.month;
const quarterOfRow: Column<PresentationRow> = (r) => cachedQuarterOf(r.month);
const issueOf: Column<PresentationRow> = (r) => r.issueCode;
const categoryOf: Column<PresentationRow> = (r) => r.category;
const decileBandOf: Column<PresentationRow> = (r) => decileBand(r.imdDecile);

const PRESENTATION_TABLES: TableSpec<PresentationRow>[] = [
  {
    id: 'sector-month-category',
    title: 'Postcode sector × month × issue category',
    dimensions: ['postcodeSector', 'month', 'category'],
    columns: [sectorOf, monthOf, categoryOf],
    period: monthOf,
  },
  {
    id: 'district-month-issue',
    title: 'Postcode district × month × issue',
    dimensions: ['postcodeDistrict', 'month', 'issue'],
    columns: [districtOf, monthOf, issueOf],
    period: monthOf,
  },
  {
    id: 'sector-quarter-issue',
    title: 'Postcode sector × quarter × issue',
    dimensions: ['postcodeSector', 'quarter', 'issue'],
    columns: [sectorOf, quarterOfRow, issueOf],
    period: quarterOfRow,
  },
  {
    id: 'area-month-decile-category',
    title: 'Whole area (local-authority total) × month × deprivation decile band × issue category',
    dimensions: ['month', 'imdDecileBand', 'category'],
    columns: [monthOf, decileBandOf, categoryOf],
    period: monthOf,
  },
];

const outcomeQuarterOf: Column<OutcomeRow> = (r) => cachedQuarterOf(r.month);

const OUTCOME_TABLE: TableSpec<OutcomeRow> = {
  id: 'remit-outcome-category-quarter',
  title: 'Within-remit issues reaching an outcome (improved / resolved / unresolved) by category × quarter',
  dimensions: ['category', 'quarter', 'outcome'],
  columns: [(r) => r.category, outcomeQuarterOf, (r) => r.outcome],
  period: outcomeQuarterOf,
};

export function buildTables(presentations: readonly PresentationRow[], outcomes: readonly OutcomeRow[], policy: DisclosurePolicy): BundleTable[] {
  const presentationsByClient = groupedByClient(presentations);
  const encodedPresentations = columnEncoder(presentationsByClient);
  const outcomesByClient = groupedByClient(outcomes);
  return [
    ...PRESENTATION_TABLES.map((spec) => buildTable(spec, presentationsByClient, encodedPresentations, policy)),
    buildTable(OUTCOME_TABLE, outcomesByClient, columnEncoder(outcomesByClient), policy),
  ];
}
