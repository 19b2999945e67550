/**
 * The stored distinct-people figures (distinct_people_cells). Merging every match key with
 * union-find costs ~100 ms at 200 bundles, too much for each dashboard view, so it is done once
 * per import batch (importBundleBatch calls refreshDistinctPeople at its end) and stamped with
 * the highest bundle id it reflects. Every change to the active bundles inserts a bundle with a
 * new, higher id (AUTOINCREMENT), so a stamp equal to max(id) means the figures are current; a
 * reader that finds them stale (bundles imported one at a time, or a batch cut short) recomputes.
 */
import { distinctPeople, type DistinctPeople, type MatchKeyRow } from '../../core/area/distinct.ts';
import type { AreaDatabase } from './open.ts';

const NAME = 'distinct-people';

/** Distinct people per district × quarter straight from the active bundles' match keys. */
export function computeDistinctPeople(area: AreaDatabase): DistinctPeople[] {
  const rows = area.sqlite
    .prepare(
      `SELECT b.organisation_id, b.linkage_key_id, m.bundle_id, m.row, m.quarter, m.district, m.key_type, m.key_value
       FROM match_keys m JOIN imported_bundles b ON b.id = m.bundle_id
       WHERE b.superseded_by IS NULL ORDER BY m.bundle_id, m.row`,
    )
    .raw()
    .all() as [string, string, number, number, string, string, string, string][];
  const records = new Map<string, MatchKeyRow & { keys: [string, string][] }>();
  for (const [org, linkage, bundleId, row, quarter, district, type, value] of rows) {
    const id = `${bundleId}:${row}`;
    let record = records.get(id);
    if (!record) records.set(id, (record = { organisationId: org, district, quarter, keys: [] }));
    // Keys made with different area linkage keys can never agree: keep them apart.
    record.keys.push([`${linkage}/${type}`, value]);
  }
  return distinctPeople([...records.values()]);
}

function latestBundleId(area: AreaDatabase): number {
  return (area.sqlite.prepare('SELECT coalesce(max(id), 0) FROM imported_bundles').pluck().get() as number) ?? 0;
}

function storedAsOf(area: AreaDatabase): number | null {
  return (area.sqlite.prepare('SELECT as_of_bundle_id FROM derived_versions WHERE name = ?').pluck().get(NAME) as number | undefined) ?? null;
}

/** Recomputes and stores the figures unless they already reflect every imported bundle. */
export function refreshDistinctPeople(area: AreaDatabase): void {
  area.sqlite
    .transaction(() => {
      const latest = latestBundleId(area);
      if (storedAsOf(area) === latest) return;
      const figures = computeDistinctPeople(area);
      area.sqlite.prepare('DELETE FROM distinct_people_cells').run();
      const insert = area.sqlite.prepare(
        `INSERT INTO distinct_people_cells (district, quarter, records, distinct_people, shared_people, organisations)
       VALUES (@district, @quarter, @records, @distinctPeople, @sharedPeople, @organisations)`,
      );
      for (const f of figures) insert.run(f);
      area.sqlite
        .prepare(
          'INSERT INTO derived_versions (name, as_of_bundle_id) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET as_of_bundle_id = excluded.as_of_bundle_id',
        )
        .run(NAME, latest);
    })
    .immediate();
}

/** The stored figures (refreshed first if stale), in the order distinctPeople returns them. */
export function storedDistinctPeople(area: AreaDatabase): DistinctPeople[] {
  if (area.sqlite.readonly) {
    if (storedAsOf(area) !== latestBundleId(area)) return computeDistinctPeople(area);
  } else refreshDistinctPeople(area);
  const rows = area.sqlite
    .prepare(
      `SELECT district, quarter, records, distinct_people AS distinctPeople, shared_people AS sharedPeople, organisations
       FROM distinct_people_cells`,
    )
    .all() as DistinctPeople[];
  return rows.sort((a, b) => (a.district === b.district ? a.quarter.localeCompare(b.quarter) : a.district.localeCompare(b.district)));
}
