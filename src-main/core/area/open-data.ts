/**
 * Area-level disclosure control for open data, applied to the combined cube again whatever each
 * organisation did, and designed against a reader who knows this code and the bundle format:
 *
 *  - Complete tables. Every table lists every combination of its universe (the union of the
 *    contributing bundles' universes, whatever their counts), so whether a row is there says
 *    nothing about its count.
 *  - Primary suppression. A cell or total below the threshold is suppressed, and so is any cell
 *    to which some organisation's own figure was suppressed at source (its sum would be a lower
 *    bound). Both are marked the same way, `suppressed`: a separate "incomplete" mark would say
 *    that some organisation counted 1–7 there.
 *  - Secondary suppression over every relation between published figures, across tables as well
 *    as within them. Each table carries totals over its last dimension; and figures of different
 *    tables add up to the same quantities (a district's monthly total is the sum of its sectors';
 *    a month × category over the whole area is the sum over sectors, over decile bands and over
 *    the category's issues; a quarter is the sum of its months…). In every such relation no
 *    figure may be the only suppressed one — it would be recovered by subtraction — so where one
 *    is, the smallest published cell of the relation is suppressed too, until no relation has
 *    exactly one. Relations that hold only roughly (figures are sums of perturbed or rounded
 *    counts) are treated as exact: that only suppresses more.
 *  - `organisations` is the number of organisations whose bundles cover the row's month or
 *    quarter, the same for every row of that period, so it cannot show whose figure a cell holds.
 *
 * The same rule runs separately for people and for presentations.
 */
import type { TableId } from '../bundle/schema.ts';

export const DEFAULT_OPEN_DATA_THRESHOLD = 10;

/** A cell summed over organisations: a suppressed contribution is counted, never taken as 0. */
export interface CombinedCount {
  /** Sum of the published values. */
  sum: number;
  /** How many organisations' figures for this cell were suppressed (the true total is then higher than `sum`). */
  suppressed: number;
  /** How many organisations contributed a figure (published or suppressed). */
  organisations: number;
}

export type OpenStatus = 'published' | 'suppressed';

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

/** One table of the combined cube: its universe (sorted values per dimension), the cells with data, and coverage per period. */
export interface CubeTable {
  id: TableId;
  universe: readonly (readonly string[])[];
  /** Which dimension is the period (month or quarter). */
  period: number;
  /** Cells with any published or suppressed contribution; every other cell of the universe is 0. */
  cells: readonly CubeCell[];
  /** Period value → organisations whose bundles cover it in this table. */
  organisations: ReadonlyMap<string, number>;
}

export interface OpenDataRules {
  threshold?: number;
  /** Issue code → its category code ("unknown" → "unknown"), to relate issue tables to category tables. */
  categoryOfIssue: ReadonlyMap<string, string>;
}

export const TOTAL_KEY = 'all';

const ZERO: CombinedCount = { sum: 0, suppressed: 0, organisations: 0 };
const MEASURES = ['people', 'presentations'] as const;
type Measure = (typeof MEASURES)[number];

/** Every figure of every table (cells, then totals), addressed by position. */
interface Layout {
  tables: Map<TableId, { table: CubeTable; position: Map<string, number>[]; cellBase: number; totalBase: number }>;
  size: number;
}

function layoutOf(tables: readonly CubeTable[]): Layout {
  const out: Layout['tables'] = new Map();
  let next = 0;
  for (const table of tables) {
    const [n0, n1, n2] = table.universe.map((v) => v.length) as [number, number, number];
    const cellBase = next;
    next += n0 * n1 * n2;
    const totalBase = next;
    next += n0 * n1;
    out.set(table.id, { table, position: table.universe.map((values) => new Map(values.map((v, i) => [v, i]))), cellBase, totalBase });
  }
  return { tables: out, size: next };
}

/** Position of a cell (last = a value of the third dimension) or of a total (last = null); -1 when a value is not in the table's universe. */
function at(layout: Layout, id: TableId, a: string, b: string, c: string | null): number {
  const t = layout.tables.get(id);
  if (!t) return -1;
  const ia = t.position[0]!.get(a);
  const ib = t.position[1]!.get(b);
  if (ia === undefined || ib === undefined) return -1;
  const nb = t.table.universe[1]!.length;
  if (c === null) return t.totalBase + ia * nb + ib;
  const ic = t.position[2]!.get(c);
  if (ic === undefined) return -1;
  return t.cellBase + (ia * nb + ib) * t.table.universe[2]!.length + ic;
}

function districtOfSector(sector: string): string {
  return sector === 'unknown' ? 'unknown' : sector.slice(0, sector.lastIndexOf(' '));
}

function quarterOfMonth(month: string): string {
  return `${month.slice(0, 4)}-Q${Math.ceil(Number(month.slice(5, 7)) / 3)}`;
}

/** Groups values by a function of them. */
function groupBy(values: readonly string[], keyOf: (v: string) => string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const v of values) {
    const k = keyOf(v);
    (out.get(k) ?? out.set(k, []).get(k)!).push(v);
  }
  return out;
}

/** Every set of figures that add up (one side against the other): within tables and across them. */
function relationsOf(layout: Layout, rules: OpenDataRules): number[][] {
  const relations: number[][] = [];
  const add = (members: number[]) => {
    const present = members.filter((m) => m >= 0);
    if (present.length >= 2) relations.push(present);
  };
  const u = (id: TableId) => layout.tables.get(id)?.table.universe ?? [[], [], []];
  const A = 'sector-month-category';
  const B = 'district-month-issue';
  const C = 'sector-quarter-issue';
  const E = 'area-month-decile-category';

  // Within each table: a total and the cells under it.
  for (const { table } of layout.tables.values()) {
    const [as, bs, cs] = table.universe as [string[], string[], string[]];
    for (const a of as) for (const b of bs) add([at(layout, table.id, a, b, null), ...cs.map((c) => at(layout, table.id, a, b, c))]);
  }
  const [sectors, monthsA, categories] = u(A) as [string[], string[], string[]];
  const [districts, monthsB, issues] = u(B) as [string[], string[], string[]];
  const [sectorsC, quarters, issuesC] = u(C) as [string[], string[], string[]];
  const [monthsE, bands] = u(E) as [string[], string[], string[]];
  const months = [...new Set([...monthsA, ...monthsB, ...monthsE])].sort();
  const allDistricts = [...new Set([...districts, ...sectors.map(districtOfSector), ...sectorsC.map(districtOfSector)])].sort();
  const sectorsOf = groupBy([...new Set([...sectors, ...sectorsC])], districtOfSector);
  const issuesOf = groupBy([...new Set([...issues, ...issuesC])], (i) => rules.categoryOfIssue.get(i) ?? 'unknown');
  const monthsOf = groupBy(months, quarterOfMonth);

  for (const m of months) {
    // A district's month = its sectors' months.
    for (const d of allDistricts) add([at(layout, B, d, m, null), ...(sectorsOf.get(d) ?? []).map((s) => at(layout, A, s, m, null))]);
    // The whole area's month, by sector, by district and by decile band.
    const bySector = sectors.map((s) => at(layout, A, s, m, null));
    const byBand = bands.map((b) => at(layout, E, m, b, null));
    add([...byBand, ...bySector]);
    add([...byBand, ...districts.map((d) => at(layout, B, d, m, null))]);
    // A month × category over the whole area: by sector, by decile band, by the category's issues in each district.
    for (const c of categories) {
      const sectorSide = sectors.map((s) => at(layout, A, s, m, c));
      const bandSide = bands.map((b) => at(layout, E, m, b, c));
      const issueSide = districts.flatMap((d) => (issuesOf.get(c) ?? []).map((i) => at(layout, B, d, m, i)));
      add([...sectorSide, ...bandSide]);
      add([...sectorSide, ...issueSide]);
      add([...bandSide, ...issueSide]);
    }
  }
  for (const q of quarters) {
    const ms = monthsOf.get(q) ?? [];
    for (const s of sectorsC) {
      // A sector's quarter = its months; by category, its issues over the quarter = the category over its months.
      add([at(layout, C, s, q, null), ...ms.map((m) => at(layout, A, s, m, null))]);
      for (const c of categories) add([...(issuesOf.get(c) ?? []).map((i) => at(layout, C, s, q, i)), ...ms.map((m) => at(layout, A, s, m, c))]);
    }
    // A district's issue over a quarter: its sectors' quarter against its months.
    for (const d of allDistricts) {
      for (const i of issuesC) add([...(sectorsOf.get(d) ?? []).map((s) => at(layout, C, s, q, i)), ...ms.map((m) => at(layout, B, d, m, i))]);
    }
  }
  return relations;
}

/**
 * Suppresses more figures until no relation has exactly one suppressed member. `suppressed` is
 * updated in place. The member chosen is the smallest published cell of the relation (a total
 * only when the relation has no published cell), ties to the first.
 */
function secondarySuppression(relations: readonly number[][], values: Float64Array, suppressed: Uint8Array, isTotal: (i: number) => boolean): void {
  const count = new Int32Array(relations.length);
  const relationsOf = new Map<number, number[]>();
  relations.forEach((members, r) => {
    for (const m of members) {
      if (suppressed[m]) count[r]!++;
      (relationsOf.get(m) ?? relationsOf.set(m, []).get(m)!).push(r);
    }
  });
  const work: number[] = [];
  count.forEach((n, r) => n === 1 && work.push(r));
  while (work.length > 0) {
    const r = work.pop()!;
    if (count[r] !== 1) continue;
    let pick = -1;
    for (const m of relations[r]!) {
      if (suppressed[m]) continue;
      if (pick < 0 || (isTotal(pick) && !isTotal(m)) || (isTotal(pick) === isTotal(m) && values[m]! < values[pick]!)) pick = m;
    }
    if (pick < 0) continue;
    suppressed[pick] = 1;
    for (const r2 of relationsOf.get(pick) ?? []) if (++count[r2]! === 1) work.push(r2);
  }
}

/** The open-data tables: complete, protected, each group's total after its cells. */
export function protectOpenData(tables: readonly CubeTable[], rules: OpenDataRules): Map<TableId, OpenCell[]> {
  const threshold = rules.threshold ?? DEFAULT_OPEN_DATA_THRESHOLD;
  if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError(`The open-data threshold must be a whole number of at least 1 (got ${threshold}).`);
  const layout = layoutOf(tables);
  const counts: Record<Measure, CombinedCount[]> = { people: new Array(layout.size).fill(ZERO), presentations: new Array(layout.size).fill(ZERO) };
  const totalFlags = new Uint8Array(layout.size);
  for (const { table, totalBase } of layout.tables.values()) {
    for (const cell of table.cells) {
      const i = at(layout, table.id, cell.key[0]!, cell.key[1]!, cell.key[2]!);
      if (i < 0) continue;
      counts.people[i] = cell.people;
      counts.presentations[i] = cell.presentations;
      const t = at(layout, table.id, cell.key[0]!, cell.key[1]!, null);
      for (const measure of MEASURES) {
        const total = counts[measure][t]!;
        const c = cell[measure];
        counts[measure][t] = { sum: total.sum + c.sum, suppressed: total.suppressed + c.suppressed, organisations: 0 };
      }
    }
    totalFlags.fill(1, totalBase, totalBase + table.universe[0]!.length * table.universe[1]!.length);
  }
  const relations = relationsOf(layout, rules);
  const shown: Record<Measure, { values: Float64Array; suppressed: Uint8Array }> = {} as never;
  for (const measure of MEASURES) {
    const values = Float64Array.from(counts[measure], (c) => c.sum);
    const suppressed = Uint8Array.from(counts[measure], (c) => (c.suppressed > 0 || c.sum < threshold ? 1 : 0));
    secondarySuppression(relations, values, suppressed, (i) => totalFlags[i] === 1);
    shown[measure] = { values, suppressed };
  }
  const value = (measure: Measure, i: number): OpenValue =>
    shown[measure].suppressed[i] ? { value: null, status: 'suppressed' } : { value: shown[measure].values[i]!, status: 'published' };

  const out = new Map<TableId, OpenCell[]>();
  for (const { table } of layout.tables.values()) {
    const [as, bs, cs] = table.universe as [string[], string[], string[]];
    const rows: OpenCell[] = [];
    const periodOf = (key: string[]) => table.organisations.get(key[table.period]!) ?? 0;
    for (const a of as) {
      for (const b of bs) {
        for (const c of cs) {
          const i = at(layout, table.id, a, b, c);
          const key = [a, b, c];
          rows.push({ key, isTotal: false, people: value('people', i), presentations: value('presentations', i), organisations: periodOf(key) });
        }
        const t = at(layout, table.id, a, b, null);
        const key = [a, b, TOTAL_KEY];
        rows.push({ key, isTotal: true, people: value('people', t), presentations: value('presentations', t), organisations: periodOf(key) });
      }
    }
    out.set(table.id, rows);
  }
  return out;
}

export function describeRule(threshold: number): string {
  return (
    `Area-level disclosure control: every table lists every combination of its postcode areas, periods and codes, with or without records. ` +
    `Every published count is at least ${threshold}; cells and totals below ${threshold} are suppressed, as is any cell to which an organisation's ` +
    `own figure was suppressed at source (both simply "suppressed"). Each table carries totals over its last dimension ("${TOTAL_KEY}"), and figures ` +
    `of different tables add up to the same quantities (sectors to districts, categories to issues, months to quarters, the whole area by sector, ` +
    `district and decile band); wherever one suppressed figure could be recovered from such a sum, further figures are suppressed. ` +
    `"organisations" counts the organisations whose bundles cover the row's month or quarter. Figures are sums over organisations of their ` +
    `already-protected counts; a person seen by several organisations is counted by each.`
  );
}
