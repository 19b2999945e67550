/** "Our area": the local authorities the area picture is limited to, kept in the area database. */
import { asc } from 'drizzle-orm';
import type { AreaDatabase } from './open.ts';
import { ourAreaAuthorities } from './schema.ts';
import { isoSeconds } from '../../core/timestamps.ts';

export interface ChosenAuthority {
  code: string;
  name: string;
}

export function readOurArea(area: AreaDatabase): ChosenAuthority[] {
  return area.db.select({ code: ourAreaAuthorities.code, name: ourAreaAuthorities.name }).from(ourAreaAuthorities).orderBy(asc(ourAreaAuthorities.name)).all();
}

/** Replaces the choice in one transaction (an empty list = the whole area again). */
export function writeOurArea(area: AreaDatabase, authorities: readonly ChosenAuthority[], now = new Date()): ChosenAuthority[] {
  area.db.transaction((tx) => {
    tx.delete(ourAreaAuthorities).run();
    for (const a of authorities)
      tx.insert(ourAreaAuthorities)
        .values({ code: a.code, name: a.name, chosenAt: isoSeconds(now) })
        .run();
  });
  return readOurArea(area);
}
