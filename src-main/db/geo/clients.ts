/** Re-deriving every client's stored geography after the reference data changes. */
import { and, count, desc, eq, isNotNull } from 'drizzle-orm';
import type { ClientGeography } from '../../core/geography.ts';
import type { CaseDb } from '../open.ts';
import { readSetting, writeSetting } from './settings.ts';
import { clients } from '../schema.ts';

export interface RecomputeSummary {
  clients: number;
  changed: number;
  withDecile: number;
  unknown: number;
}

/**
 * Recomputes sector, neighbourhood and decile for every client in one transaction, so reports
 * never see half the clients on old data and half on new. Only rows that differ are written.
 */
export function recomputeClientGeography(db: CaseDb, geographyOf: (postcode: string | null) => ClientGeography): RecomputeSummary {
  return db.transaction((tx) => {
    const rows = tx
      .select({
        id: clients.id,
        postcode: clients.postcode,
        postcodeSector: clients.postcodeSector,
        postcodeDistrict: clients.postcodeDistrict,
        lsoa: clients.lsoa,
        imdDecile: clients.imdDecile,
        imdRank: clients.imdRank,
        imdEdition: clients.imdEdition,
        geoReason: clients.geoReason,
        lsoa21: clients.lsoa21,
        localAuthorityCode: clients.localAuthorityCode,
        localAuthorityName: clients.localAuthorityName,
        geoSource: clients.geoSource,
      })
      .from(clients)
      .all();
    const summary: RecomputeSummary = { clients: rows.length, changed: 0, withDecile: 0, unknown: 0 };
    for (const { id, postcode, ...stored } of rows) {
      const fresh = geographyOf(postcode);
      if (fresh.imdDecile === null) summary.unknown++;
      else summary.withDecile++;
      const same = (Object.keys(fresh) as (keyof ClientGeography)[]).every((k) => fresh[k] === stored[k]);
      if (same) continue;
      tx.update(clients).set(fresh).where(eq(clients.id, id)).run();
      summary.changed++;
    }
    return summary;
  });
}

/** Clients with a decile, per Indices edition, most first: what the deciles report says its figures come from. */
export function decileEditions(db: CaseDb): { edition: string; clients: number }[] {
  return db
    .select({ edition: clients.imdEdition, clients: count() })
    .from(clients)
    .where(isNotNull(clients.imdDecile))
    .groupBy(clients.imdEdition)
    .orderBy(desc(count()))
    .all()
    .map((r) => ({ edition: r.edition ?? 'unknown edition', clients: r.clients }));
}

/** Clients with a decile whose postcode was placed from its centre point (derived), not by an official lookup. */
export function derivedPlacements(db: CaseDb): number {
  return db
    .select({ n: count() })
    .from(clients)
    .where(and(isNotNull(clients.imdDecile), eq(clients.geoSource, 'derived')))
    .get()!.n;
}

const COMPUTED_WITH = 'geo.clientsComputedWith';

/** Records which reference data (its build stamp) every client's stored geography was computed with. */
export function markClientsComputedWith(db: CaseDb, stamp: string): void {
  writeSetting(db, COMPUTED_WITH, stamp);
}

/**
 * Recomputes every client when the reference data has changed since they were computed (a new
 * NeedMap with new shipped data, or an import not followed by a recompute), so their sector,
 * decile and local authority never lag behind what a lookup shows. Null when nothing was due.
 * A database with no clients is left untouched.
 */
export function recomputeIfReferenceChanged(db: CaseDb, stamp: string, geographyOf: (postcode: string | null) => ClientGeography): RecomputeSummary | null {
  if (readSetting(db, COMPUTED_WITH) === stamp) return null;
  if (!db.select({ id: clients.id }).from(clients).limit(1).get()) return null;
  return db.transaction(() => {
    const summary = recomputeClientGeography(db, geographyOf);
    markClientsComputedWith(db, stamp);
    return summary;
  });
}
