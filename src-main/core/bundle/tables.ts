/**
 * Building the bundle's tables from plain rows (one per issue presentation, one per outcome
 * reached). Each table is complete over its stated universe — the organisation's sectors or
 * districts seen in the period (and "unknown"), every month of the period or every whole quarter
 * in it, every category or issue of the taxonomy (and "unknown"), every decile band of both
 * editions — so a cell with no records is published as 0 like any other and a published 0 never
 * marks a true 1 or 2. Cells are listed when a published count is not 0, so the listing depends on
 * published values only. Counts are of distinct people and of presentations; every cell and total
 * gets its cell key from the record keys of the people in it, then goes through the disclosure
 * policy. No row field other than the dimensions below ever reaches a table.
 */
import { addToCellKey, type DisclosurePolicy } from './disclosure.ts';
import { quarterOf, quartersOf } from './period.ts';
import {
  IMD_DECILE_BAND_VALUES,
  OUTCOME_VALUES,
  TABLE_IDS,
  TABLE_SPECS,
  type BundleCell,
  type BundleTable,
  type ProtectedCount,
  type TableId,
} from './schema.ts';

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
  /** The Indices of Deprivation edition the decile comes from, as stored with the client ("IoD2025"). */
  imdEdition: string | null;
  issueCode: string;
  category: string;
}

export type Outcome = (typeof OUTCOME_VALUES)[number];

/** A within-remit issue reaching an outcome in an exported month. */
export interface OutcomeRow {
  clientId: number;
  recordKey: number;
  month: string;
  category: string;
  outcome: Outcome;
}

/** What the tables range over besides the records themselves: the period and the taxonomy's codes. */
export interface TableUniverse {
  /** Every month of the export, in order. */
  months: readonly string[];
  /** The taxonomy's category codes and issue codes ("unknown" is added). */
  categories: readonly string[];
  issues: readonly string[];
}

/** "IoD2025" → "iod2025"; null for anything else (the edition is then not known). */
export function bundleEdition(edition: string | null): string | null {
  const e = edition?.toLowerCase() ?? null;
  return e === 'iod2019' || e === 'iod2025' ? e : null;
}

/**
 * IMD decile (1 = most deprived) → band of two deciles with its edition ("iod2025:1-2"), so small
 * areas still say something and bands of different editions are never the same value. A decile
 * whose edition is not recorded is "unknown": adding it to either edition would mix two rankings.
 */
export function decileBand(decile: number | null, edition: string | null): string {
  const e = bundleEdition(edition);
  if (e === null || decile === null || !Number.isInteger(decile) || decile < 1 || decile > 10) return UNKNOWN;
  const low = decile % 2 === 1 ? decile : decile - 1;
  return `${e}:${low}-${low + 1}`;
}

/** Quarters all of whose months are in the period: the only ones quarter tables and match keys cover. */
export function wholeQuarters(months: readonly string[]): string[] {
  return quartersOf([...months])
    .filter((q) => q.months.length === 3)
    .map((q) => q.quarter);
}

function sortedWithUnknown(values: Iterable<string>): string[] {
  return [...new Set([...values, UNKNOWN])].sort();
}

/** A dimension's value for a row. Tables sharing a dimension share the function, so it is encoded once. */
type Column<Row> = (row: Row) => string;

/** One dimension's values as small integers (codes[row] indexes values), computed once per row set. */
interface EncodedColumn {
  codes: Int32Array;
  values: string[];
}

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

/** Encodes each column once for every table built from the same rows. */
function columnEncoder<Row>(rows: readonly Row[]): (column: Column<Row>) => EncodedColumn {
  const cache = new Map<Column<Row>, EncodedColumn>();
  return (column) => cache.get(column) ?? cache.set(column, encodeColumn(rows, column)).get(column)!;
}

/**
 * Dense counts over a universe, from rows that arrive grouped by client (see groupedByClient), so
 * a new person in a cell is a change of client and no per-cell Set of people is needed.
 */
class DenseTally {
  readonly people: Int32Array;
  readonly peopleKeys: Uint8Array;
  readonly presentations: Int32Array;
  readonly presentationsKeys: Uint8Array;
  private readonly lastClient: Float64Array;

  constructor(size: number) {
    this.people = new Int32Array(size);
    this.peopleKeys = new Uint8Array(size);
    this.presentations = new Int32Array(size);
    this.presentationsKeys = new Uint8Array(size);
    this.lastClient = new Float64Array(size).fill(Number.NaN);
  }

  add(cell: number, clientId: number, recordKey: number): void {
    if (this.lastClient[cell] !== clientId) {
      this.lastClient[cell] = clientId;
      this.people[cell]!++;
      this.peopleKeys[cell] = addToCellKey(this.peopleKeys[cell]!, recordKey);
    }
    this.presentations[cell]!++;
    // Each presentation carries its person's key, so the same presentations always get the same noise.
    this.presentationsKeys[cell] = addToCellKey(this.presentationsKeys[cell]!, recordKey);
  }

  /** Every position's protected counts. */
  protect(policy: DisclosurePolicy): { people: ProtectedCount[]; presentations: ProtectedCount[] } {
    const n = this.people.length;
    const people = new Array<ProtectedCount>(n);
    const presentations = new Array<ProtectedCount>(n);
    for (let i = 0; i < n; i++) {
      people[i] = policy.protect({ value: this.people[i]!, cellKey: this.peopleKeys[i]! });
      presentations[i] = policy.protect({ value: this.presentations[i]!, cellKey: this.presentationsKeys[i]! });
    }
    return { people, presentations };
  }

  /** The cells whose protected counts are not both 0, in order: what is listed depends on the published values only. */
  listed(policy: DisclosurePolicy, universe: readonly (readonly string[])[]): BundleCell[] {
    const out: BundleCell[] = [];
    for (let i = 0; i < this.people.length; i++) {
      if (this.people[i] === 0) continue; // a true 0 is always published as 0 (no policy perturbs zeros)
      const people = policy.protect({ value: this.people[i]!, cellKey: this.peopleKeys[i]! });
      const presentations = policy.protect({ value: this.presentations[i]!, cellKey: this.presentationsKeys[i]! });
      if (people === 0 && presentations === 0) continue;
      const key = new Array<string>(universe.length);
      let rest = i;
      for (let d = universe.length - 1; d >= 0; d--) {
        key[d] = universe[d]![rest % universe[d]!.length]!;
        rest = Math.floor(rest / universe[d]!.length);
      }
      out.push({ key, people, presentations });
    }
    return out;
  }
}

/** Rows with all of one client's rows next to each other, keeping their order otherwise (sort is stable). */
function groupedByClient<Row extends { clientId: number }>(rows: readonly Row[]): readonly Row[] {
  return [...rows].sort((a, b) => a.clientId - b.clientId);
}

interface TableSpec<Row> {
  id: TableId;
  /** One column per dimension, in TABLE_SPECS order. */
  columns: Column<Row>[];
}

/** `rows` grouped by client; `universe[d]` the sorted values of dimension d. Rows outside the universe (a part-quarter) are left out. */
function buildTable<Row extends { clientId: number; recordKey: number }>(
  spec: TableSpec<Row>,
  universe: string[][],
  rows: readonly Row[],
  encoded: (column: Column<Row>) => EncodedColumn,
  policy: DisclosurePolicy,
): BundleTable {
  const { title, dimensions, period } = TABLE_SPECS[spec.id];
  const size = universe.reduce((n, values) => n * values.length, 1);
  // Per dimension: the row's encoded value → its position in the universe (-1: outside).
  const positions = spec.columns.map((column, d) => {
    const { codes, values } = encoded(column);
    const index = new Map(universe[d]!.map((v, i) => [v, i]));
    return { codes, position: Int32Array.from(values, (v) => index.get(v) ?? -1) };
  });
  const cells = new DenseTally(size);
  const totals = new DenseTally(universe[period]!.length);
  rows: for (let i = 0; i < rows.length; i++) {
    let cell = 0;
    let periodPosition = 0;
    for (let d = 0; d < positions.length; d++) {
      const p = positions[d]!.position[positions[d]!.codes[i]!]!;
      if (p < 0) continue rows;
      cell = cell * universe[d]!.length + p;
      if (d === period) periodPosition = p;
    }
    const { clientId, recordKey } = rows[i]!;
    cells.add(cell, clientId, recordKey);
    // Totals come from the unperturbed records, then are protected on their own.
    totals.add(periodPosition, clientId, recordKey);
  }
  return { id: spec.id, title, dimensions: [...dimensions], universe, cells: cells.listed(policy, universe), totals: totals.protect(policy) };
}

const quarterOfMonth = new Map<string, string>();
/** quarterOf, remembered: it runs for every row of several tables. */
function cachedQuarterOf(month: string): string {
  return quarterOfMonth.get(month) ?? quarterOfMonth.set(month, quarterOf(month)).get(month)!;
}

export function buildTables(
  presentations: readonly PresentationRow[],
  outcomes: readonly OutcomeRow[],
  policy: DisclosurePolicy,
  universe: TableUniverse,
): BundleTable[] {
  const months = [...universe.months];
  const quarters = wholeQuarters(months);
  const categories = sortedWithUnknown(universe.categories);
  const issues = sortedWithUnknown(universe.issues);
  const knownIssues = new Set(issues);
  const knownCategories = new Set(categories);

  const sectorOf: Column<PresentationRow> = (r) => r.sector ?? UNKNOWN;
  const districtOf: Column<PresentationRow> = (r) => r.district ?? UNKNOWN;
  const monthOf: Column<PresentationRow> = (r) => r.month;
  const quarterOfRow: Column<PresentationRow> = (r) => cachedQuarterOf(r.month);
  // A code this taxonomy version does not have is counted as "unknown", never as a value of its own.
  const issueOf: Column<PresentationRow> = (r) => (knownIssues.has(r.issueCode) ? r.issueCode : UNKNOWN);
  const categoryOf: Column<PresentationRow> = (r) => (knownCategories.has(r.category) ? r.category : UNKNOWN);
  const decileBandOf: Column<PresentationRow> = (r) => decileBand(r.imdDecile, r.imdEdition);

  const presentationsByClient = groupedByClient(presentations);
  const encodedPresentations = columnEncoder(presentationsByClient);
  // The organisation's own geography: the sectors and districts its clients in the period live in.
  const sectors = sortedWithUnknown(encodedPresentations(sectorOf).values);
  const districts = sortedWithUnknown(encodedPresentations(districtOf).values);

  const outcomesByClient = groupedByClient(outcomes);
  const outcomeCategoryOf: Column<OutcomeRow> = (r) => (knownCategories.has(r.category) ? r.category : UNKNOWN);
  const outcomeQuarterOf: Column<OutcomeRow> = (r) => cachedQuarterOf(r.month);

  const tables: Record<TableId, () => BundleTable> = {
    'sector-month-category': () =>
      buildTable(
        { id: 'sector-month-category', columns: [sectorOf, monthOf, categoryOf] },
        [sectors, months, categories],
        presentationsByClient,
        encodedPresentations,
        policy,
      ),
    'district-month-issue': () =>
      buildTable(
        { id: 'district-month-issue', columns: [districtOf, monthOf, issueOf] },
        [districts, months, issues],
        presentationsByClient,
        encodedPresentations,
        policy,
      ),
    'sector-quarter-issue': () =>
      buildTable(
        { id: 'sector-quarter-issue', columns: [sectorOf, quarterOfRow, issueOf] },
        [sectors, quarters, issues],
        presentationsByClient,
        encodedPresentations,
        policy,
      ),
    'area-month-decile-category': () =>
      buildTable(
        { id: 'area-month-decile-category', columns: [monthOf, decileBandOf, categoryOf] },
        [months, [...IMD_DECILE_BAND_VALUES], categories],
        presentationsByClient,
        encodedPresentations,
        policy,
      ),
    'remit-outcome-category-quarter': () =>
      buildTable(
        { id: 'remit-outcome-category-quarter', columns: [outcomeCategoryOf, outcomeQuarterOf, (r) => r.outcome] },
        [categories, quarters, [...OUTCOME_VALUES]],
        outcomesByClient,
        columnEncoder(outcomesByClient),
        policy,
      ),
  };
  return TABLE_IDS.map((id) => tables[id]());
}
