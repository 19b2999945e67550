/**
 * Keeping the combined cube (combined_cells) equal to the sum of the active bundles' cells.
 * imported_bundles.combined says whether a bundle's cells are in the cube; a bundle is pending
 * while that differs from whether it is active: accepted but not yet added, or superseded but
 * not yet taken out. Nothing accepted is lost if a batch stops: its files are each committed
 * with their cells, and whatever is pending is combined at the batch's end, or at the next open.
 *
 * A batch adds its own bundles from the cells it has just stored, summed in memory (one upsert
 * per distinct cell instead of one per bundle's cell: 200 bundles of 2,750 cells share ~17,000
 * cells); everything else pending (a superseded bundle from an earlier batch, a batch that
 * stopped) is combined from bundle_cells with SQL.
 */
import type { StoredTable } from './store-bundle.ts';
import type { AreaDatabase } from './open.ts';

const PENDING_SQL = 'SELECT id, superseded_by IS NULL AS active FROM imported_bundles WHERE combined <> (superseded_by IS NULL) ORDER BY id';
const COMBINED_COLUMNS = '(table_id, k1, k2, k3, people, people_suppressed, presentations, presentations_suppressed, organisations)';
const ADD_TO_EXISTING = `ON CONFLICT (table_id, k1, k2, k3) DO UPDATE SET
  people = people + excluded.people,
  people_suppressed = people_suppressed + excluded.people_suppressed,
  presentations = presentations + excluded.presentations,
  presentations_suppressed = presentations_suppressed + excluded.presentations_suppressed,
  organisations = organisations + excluded.organisations`;
const ROWS_PER_UPSERT = 64;

/** Adds (sign 1) or takes away (sign -1) one stored bundle's cells in the cube. */
function combineStored(area: AreaDatabase, bundleId: number, sign: 1 | -1): void {
  area.sqlite
    .prepare(
      `INSERT INTO combined_cells ${COMBINED_COLUMNS}
       SELECT table_id, k1, k2, k3, @sign * coalesce(people, 0), @sign * people_suppressed, @sign * coalesce(presentations, 0),
              @sign * presentations_suppressed, @sign
       FROM bundle_cells WHERE bundle_id = @bundleId AND true
       ${ADD_TO_EXISTING}`,
    )
    .run({ sign, bundleId });
}

/** Cells no organisation contributes to any more, among those of bundles just taken out. */
function dropEmptied(area: AreaDatabase, takenOut: readonly number[]): void {
  const drop = area.sqlite.prepare(
    `DELETE FROM combined_cells WHERE organisations = 0
       AND (table_id, k1, k2, k3) IN (SELECT table_id, k1, k2, k3 FROM bundle_cells WHERE bundle_id = ?)`,
  );
  for (const id of takenOut) drop.run(id);
}

function pendingBundles(area: AreaDatabase): { id: number; active: number }[] {
  return area.sqlite.prepare(PENDING_SQL).all() as { id: number; active: number }[];
}

function markCombined(area: AreaDatabase): void {
  area.sqlite.prepare('UPDATE imported_bundles SET combined = (superseded_by IS NULL) WHERE combined <> (superseded_by IS NULL)').run();
}

/** Combines whatever is pending from the stored cells (inside the caller's transaction, or its own). Returns how many bundles it combined. */
export function combinePendingWithSql(area: AreaDatabase, except: ReadonlySet<number> = new Set()): number {
  return area.sqlite.transaction(() => {
    const pending = pendingBundles(area);
    const takenOut: number[] = [];
    for (const { id, active } of pending) {
      if (except.has(id)) continue;
      combineStored(area, id, active ? 1 : -1);
      if (!active) takenOut.push(id);
    }
    dropEmptied(area, takenOut);
    markCombined(area);
    return pending.length;
  })();
}

/** Whether any bundle waits to be combined (a batch stopped before its end); false for a database from before the flag (migrated by an older app). */
export function hasPendingBundles(area: AreaDatabase): boolean {
  const hasFlag = area.sqlite.prepare("SELECT 1 FROM pragma_table_info('imported_bundles') WHERE name = 'combined'").get() !== undefined;
  return hasFlag && area.sqlite.prepare('SELECT 1 FROM imported_bundles WHERE combined <> (superseded_by IS NULL) LIMIT 1').get() !== undefined;
}

/** Each dimension's values numbered as they are first met, so a cell's key is one number. */
class Dictionary {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }
}

/** Key = ((table · 2^16 + v1) · 2^16 + v2) · 2^16 + v3: an exact integer for 5 tables (5 · 2^48 < 2^53). */
const DIMENSION_IDS = 2 ** 16;

/** A batch's own bundles' cells, summed in memory as they are stored. */
export class BatchCombiner {
  private readonly index = new Map<number, number>();
  private readonly dimensions = [new Dictionary(), new Dictionary(), new Dictionary()];
  private readonly tableIds: string[] = [];
  private rowKeys: Float64Array = new Float64Array(1024);
  private sums: Float64Array = new Float64Array(5 * 1024);
  private rows = 0;
  readonly bundles = new Set<number>();
  /** More distinct values than a key can hold: the batch's end then combines from the stored cells instead. */
  overflowed = false;

  add(bundleId: number, tables: readonly StoredTable[]): void {
    this.bundles.add(bundleId);
    if (this.overflowed) return;
    for (const table of tables) {
      let tableNumber = this.tableIds.indexOf(table.id);
      if (tableNumber < 0) tableNumber = this.tableIds.push(table.id) - 1;
      // The bundle's universe positions → batch-wide value ids, once per table.
      const [p1, p2, p3] = table.values.map((values, d) => Int32Array.from(values, (v) => this.dimensions[d]!.id(v))) as [Int32Array, Int32Array, Int32Array];
      if (this.dimensions.some((d) => d.values.length >= DIMENSION_IDS)) {
        this.overflowed = true;
        return;
      }
      const { keys, people, presentations } = table;
      for (let i = 0; i < people.length; i++) {
        const key = ((tableNumber * DIMENSION_IDS + p1[keys[3 * i]!]!) * DIMENSION_IDS + p2[keys[3 * i + 1]!]!) * DIMENSION_IDS + p3[keys[3 * i + 2]!]!;
        let row = this.index.get(key);
        if (row === undefined) {
          row = this.rows++;
          this.index.set(key, row);
          if (this.rowKeys.length < this.rows) {
            this.rowKeys = grown(this.rowKeys, this.rowKeys.length * 2);
            this.sums = grown(this.sums, this.sums.length * 2);
          }
          this.rowKeys[row] = key;
        }
        const p = people[i]!;
        const pr = presentations[i]!;
        const at = 5 * row;
        // -1 is "suppressed": counted as such, adding nothing to the sum.
        if (p < 0) this.sums[at + 1]!++;
        else this.sums[at]! += p;
        if (pr < 0) this.sums[at + 3]!++;
        else this.sums[at + 2]! += pr;
        this.sums[at + 4]!++;
      }
    }
  }

  /** Adds the summed cells to the cube (inside the caller's transaction). */
  upsert(area: AreaDatabase): void {
    const many = area.sqlite.prepare(
      `INSERT INTO combined_cells ${COMBINED_COLUMNS} VALUES ${new Array(ROWS_PER_UPSERT).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} ${ADD_TO_EXISTING}`,
    );
    const one = area.sqlite.prepare(`INSERT INTO combined_cells ${COMBINED_COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ${ADD_TO_EXISTING}`);
    const batch: unknown[] = [];
    const [d1, d2, d3] = this.dimensions.map((d) => d.values) as [string[], string[], string[]];
    for (let row = 0; row < this.rows; row++) {
      let key = this.rowKeys[row]!;
      const v3 = key % DIMENSION_IDS;
      key = (key - v3) / DIMENSION_IDS;
      const v2 = key % DIMENSION_IDS;
      key = (key - v2) / DIMENSION_IDS;
      const v1 = key % DIMENSION_IDS;
      const table = this.tableIds[(key - v1) / DIMENSION_IDS]!;
      const at = 5 * row;
      batch.push(table, d1[v1], d2[v2], d3[v3], this.sums[at], this.sums[at + 1], this.sums[at + 2], this.sums[at + 3], this.sums[at + 4]);
      if (batch.length === 9 * ROWS_PER_UPSERT) {
        many.run(batch);
        batch.length = 0;
      }
    }
    for (let i = 0; i < batch.length; i += 9) one.run(batch.slice(i, i + 9));
  }
}

function grown(array: Float64Array, length: number): Float64Array {
  const bigger = new Float64Array(length);
  bigger.set(array);
  return bigger;
}

/**
 * The end of a batch, in one transaction: the batch's own bundles added from their summed cells
 * when they are exactly what is pending of them (nothing superseded them in the batch, no other
 * process combined them), everything else pending from the stored cells.
 */
export function finishBatch(area: AreaDatabase, combiner: BatchCombiner): void {
  area.sqlite
    .transaction(() => {
      const pending = pendingBundles(area);
      const pendingAdds = new Set(pending.filter((p) => p.active).map((p) => p.id));
      const useSums = combiner.bundles.size > 0 && !combiner.overflowed && [...combiner.bundles].every((id) => pendingAdds.has(id));
      if (useSums) combiner.upsert(area);
      combinePendingWithSql(area, useSums ? combiner.bundles : new Set());
    })
    .immediate();
}
