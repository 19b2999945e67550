/**
 * Choosing comparison sectors for a difference-in-differences: sectors outside the study (an
 * event's sectors, a service's catchment) that are like it in deprivation and in how much need
 * they bring to services, so they share its season and its area-wide changes but not what
 * happened there.
 */

export interface CandidateSector {
  sector: string;
  /** Presentations per month per sector in the months before (all categories or the issues studied). */
  level: number;
  /** Average IMD decile of the sector's neighbourhoods (1 = most deprived); null when unknown. */
  imdDecile: number | null;
}

export interface ComparisonChoice {
  sectors: string[];
  /** How they were chosen, in plain words. */
  why: string;
}

/** At most this many decile steps from the study's average deprivation. */
export const MAX_DECILE_GAP = 1.5;
/** Need level within this factor of the study's (per sector, per month). */
export const MAX_LEVEL_FACTOR = 3;
export const MAX_COMPARISON_SECTORS = 8;

export function chooseComparisonSectors(study: readonly CandidateSector[], candidates: readonly CandidateSector[]): ComparisonChoice {
  const inStudy = new Set(study.map((s) => s.sector));
  const level = study.reduce((n, s) => n + s.level, 0) / Math.max(1, study.length);
  const deciles = study.map((s) => s.imdDecile).filter((d): d is number => d !== null);
  const decile = deciles.length ? deciles.reduce((a, b) => a + b, 0) / deciles.length : null;
  if (level <= 0) return { sectors: [], why: 'the study sectors had no presentations before, so no sectors of a similar level can be chosen' };
  const scored = candidates
    .filter((c) => !inStudy.has(c.sector) && c.level > 0)
    .map((c) => {
      const levelGap = Math.abs(Math.log(c.level / level)) / Math.log(MAX_LEVEL_FACTOR);
      const decileGap = decile !== null && c.imdDecile !== null ? Math.abs(c.imdDecile - decile) / MAX_DECILE_GAP : decile === null ? 0 : Infinity;
      return { c, levelGap, decileGap, distance: levelGap + decileGap };
    })
    .filter((s) => s.levelGap <= 1 && s.decileGap <= 1)
    .sort((a, b) => a.distance - b.distance || a.c.sector.localeCompare(b.c.sector))
    .slice(0, MAX_COMPARISON_SECTORS);
  const levelText = `${level.toFixed(1)} presentations a month per sector (between a third and three times that)`;
  const decileText = decile === null ? '' : `, average deprivation decile ${decile.toFixed(1)} (within ${MAX_DECILE_GAP})`;
  if (scored.length === 0) return { sectors: [], why: `no other sector is like the study sectors: ${levelText}${decileText}` };
  return {
    sectors: scored.map((s) => s.c.sector).sort(),
    why: `the ${scored.length === 1 ? 'sector' : `${scored.length} sectors`} most like the study sectors before: ${levelText}${decileText}`,
  };
}
