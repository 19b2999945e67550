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
import { countOf } from '../../core/area/import-ready.ts';
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

/** A batch's own bundles' cells, summed in memory as they are stored. */
export class BatchCombiner {
  private readonly index = new Map<string, number>();
  private readonly rows: { table: string; k1: string; k2: string; k3: string }[] = [];
  private sums: Float64Array = new Float64Array(5 * 1024);
  readonly bundles = new Set<number>();

  add(bundleId: number, tables: readonly StoredTable[]): void {
    this.bundles.add(bundleId);
    for (const table of tables) {
      const [u1, u2, u3] = table.values as [string[], string[], string[]];
      const { keys, people, presentations } = table;
      for (let i = 0; i < people.length; i++) {
        const k1 = u1[keys[3 * i]!]!;
        const k2 = u2[keys[3 * i + 1]!]!;
        const k3 = u3[keys[3 * i + 2]!]!;
        const key = `${table.id}\u0000${k1}\u0000${k2}\u0000${k3}`;
        let row = this.index.get(key);
        if (row === undefined) {
          row = this.rows.length;
          this.rows.push({ table: table.id, k1, k2, k3 });
          this.index.set(key, row);
          if (this.sums.length < 5 * this.rows.length) {
            const grown = new Float64Array(this.sums.length * 2);
            grown.set(this.sums);
            this.sums = grown;
          }
        }
        const p = countOf(people[i]!);
        const pr = countOf(presentations[i]!);
        const at = 5 * row;
        this.sums[at]! += p ?? 0;
        this.sums[at + 1]! += p === null ? 1 : 0;
        this.sums[at + 2]! += pr ?? 0;
        this.sums[at + 3]! += pr === null ? 1 : 0;
        this.sums[at + 4]! += 1;
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
    for (let row = 0; row < this.rows.length; row++) {
      const { table, k1, k2, k3 } = this.rows[row]!;
      const at = 5 * row;
      batch.push(table, k1, k2, k3, this.sums[at], this.sums[at + 1], this.sums[at + 2], this.sums[at + 3], this.sums[at + 4]);
      if (batch.length === 9 * ROWS_PER_UPSERT) {
        many.run(batch);
        batch.length = 0;
      }
    }
    for (let i = 0; i < batch.length; i += 9) one.run(batch.slice(i, i + 9));
  }
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
      const useSums = combiner.bundles.size > 0 && [...combiner.bundles].every((id) => pendingAdds.has(id));
      if (useSums) combiner.upsert(area);
      combinePendingWithSql(area, useSums ? combiner.bundles : new Set());
    })
    .immediate();
}
