/**
 * One comparison of a study series against a baseline series, over many categories (or issues),
 * as a report: the counts behind it, the estimate with its interval for each, the dispersion
 * pooled over them all, Benjamini–Hochberg q-values, and the plain-words verdicts. Shared by
 * events (db/area/events.ts) and new services (db/area/services.ts).
 */
import { estimateFamily, type ChangeEstimate, type PeriodCounts } from '../../core/area/change.ts';
import { chooseComparisonSectors, type CandidateSector } from '../../core/area/comparison.ts';
import { describeChange, type BaselineKind } from '../../core/area/change-words.ts';
import type { AreaDatabase } from './open.ts';
import { readWindow, sumOver, type WindowCounts, type WindowTable } from './windows.ts';

export interface KeyComparison extends ChangeEstimate {
  /** Category or issue code. */
  key: string;
  qValue: number | null;
  verdict: string;
}

export interface BaselineReport {
  kind: BaselineKind;
  /** What the study was compared with, in words. */
  description: string;
  /** The comparison sectors (comparison-sectors only). */
  comparisonSectors: string[] | null;
  /** Which periods the baseline counts are from. */
  baselinePeriodsBefore: string[];
  baselinePeriodsAfter: string[];
  organisations: string[];
  suppressedCells: number;
  /** Pooled quasi-Poisson dispersion (1 = Poisson; 2 = twice the Poisson variance), null when it could not be estimated. */
  dispersion: number | null;
  dispersionDf: number;
  tested: number;
  discoveries: number;
  comparisons: KeyComparison[];
  /** Why nothing could be compared, when so. */
  note: string | null;
}

export interface StudyWording {
  /** "Money & debt presentations" for a key. */
  subject: (key: string) => string;
  where: string;
  afterWords: string;
  occasion: string;
}

export interface Pairing {
  study: string;
  baseline: string;
  after: boolean;
}

/** Builds the report from a window holding both series. */
export function reportFromWindow(
  kind: BaselineKind,
  description: string,
  window: WindowCounts,
  studySectors: readonly string[] | null,
  baselineSectors: readonly string[] | null,
  pairs: readonly Pairing[],
  keys: readonly string[],
  words: StudyWording,
  comparisonSectors: string[] | null = null,
): BaselineReport {
  const base = {
    kind,
    description,
    comparisonSectors,
    baselinePeriodsBefore: pairs.filter((p) => !p.after).map((p) => p.baseline),
    baselinePeriodsAfter: pairs.filter((p) => p.after).map((p) => p.baseline),
    organisations: window.organisations,
    suppressedCells: window.suppressedCells,
  };
  if (window.organisations.length === 0) {
    return {
      ...base,
      dispersion: null,
      dispersionDf: 0,
      tested: 0,
      discoveries: 0,
      comparisons: [],
      note: 'No organisation reported for every one of these months, so there is nothing like-for-like to compare.',
    };
  }
  const series = keys.map((key) => ({
    key,
    periods: pairs.map((p): PeriodCounts => ({
      period: p.study,
      after: p.after,
      study: sumOver(window, studySectors, key, p.study),
      baseline: sumOver(window, baselineSectors, key, p.baseline),
    })),
  }));
  const family = estimateFamily(series);
  const comparisons = family.results
    .map((r) => ({
      ...r,
      verdict: describeChange(
        { subject: words.subject(r.key), where: words.where, afterWords: words.afterWords, occasion: words.occasion, baseline: kind, tested: family.tested },
        r,
      ),
    }))
    .sort((a, b) => (a.pValue ?? 2) - (b.pValue ?? 2) || a.key.localeCompare(b.key));
  return {
    ...base,
    dispersion: Number.isFinite(family.dispersion.factor) ? family.dispersion.factor : null,
    dispersionDf: family.dispersion.df,
    tested: family.tested,
    discoveries: family.discoveries,
    comparisons,
    note: family.tested === 0 ? 'Too little data to say anything: no comparison had enough presentations, or enough months, to test.' : null,
  };
}

/**
 * Comparison sectors for `study` from the sectors with data in the months before, by level
 * (presentations a month per sector, of `keys` when given) and deprivation.
 */
export function comparisonSectorsFor(
  area: AreaDatabase,
  table: WindowTable,
  study: readonly string[],
  periodsBefore: readonly string[],
  monthsBefore: readonly string[],
  keys: readonly string[] | null,
  deprivation: (sectors: readonly string[]) => ReadonlyMap<string, number>,
): { sectors: string[]; why: string } {
  const before = readWindow(area, { table, periods: periodsBefore, months: monthsBefore, sectors: null, keys });
  const levels = new Map<string, number>();
  for (const [sector, byKey] of before.counts) {
    let n = 0;
    for (const byPeriod of byKey.values()) for (const c of byPeriod.values()) n += c;
    levels.set(sector, n / Math.max(1, monthsBefore.length));
  }
  const deciles = deprivation([...new Set([...levels.keys(), ...study])]);
  const candidate = (sector: string): CandidateSector => ({ sector, level: levels.get(sector) ?? 0, imdDecile: deciles.get(sector) ?? null });
  return chooseComparisonSectors(study.map(candidate), [...levels.keys()].map(candidate));
}
