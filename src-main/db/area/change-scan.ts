/**
 * The automatic change scan: every sector × issue category, the last `window` months with data
 * against the `window` before them, each against a baseline that shares its season — the same
 * months a year earlier when the area database has them, otherwise the rest of the area over the
 * same months — with the dispersion pooled over every series and the false discovery rate
 * controlled (Benjamini–Hochberg) across everything tested. It says how many it tested.
 */
import { estimateFamily, FDR_LEVEL, type ChangeEstimate, type PeriodCounts } from '../../core/area/change.ts';
import { readingOf, type BaselineKind } from '../../core/area/change-words.ts';
import { monthFromIndex, monthIndex } from '../../core/bundle/period.ts';
import type { AreaDatabase } from './open.ts';
import { dataMonths, readWindow, shiftMonths } from './windows.ts';

export interface ScannedChange extends ChangeEstimate {
  sector: string;
  category: string;
  qValue: number | null;
  reading: string;
}

export interface ScanReport {
  window: number;
  baseline: BaselineKind | null;
  /** What the baseline was and why, in words. */
  baselineWhy: string;
  monthsBefore: string[];
  monthsAfter: string[];
  organisations: string[];
  /** Sector × category series tested, and those with too little data to test. */
  tested: number;
  tooLittle: number;
  /** Tested series with q below the false discovery level. */
  discoveries: number;
  fdrLevel: number;
  dispersion: number | null;
  dispersionDf: number;
  /** The `limit` tested series with the smallest p-values. */
  changes: ScannedChange[];
}

export function recentChanges(area: AreaDatabase, options: { window?: number; limit?: number; minTotal?: number } = {}): ScanReport {
  const window = options.window ?? 3;
  const all = dataMonths(area);
  const empty = (why: string, monthsBefore: string[] = [], monthsAfter: string[] = []): ScanReport => ({
    window,
    baseline: null,
    baselineWhy: why,
    monthsBefore,
    monthsAfter,
    organisations: [],
    tested: 0,
    tooLittle: 0,
    discoveries: 0,
    fdrLevel: FDR_LEVEL,
    dispersion: null,
    dispersionDf: 0,
    changes: [],
  });
  if (all.length === 0) return empty('No bundles imported yet.');
  const last = monthIndex(all[all.length - 1]!);
  const months = Array.from({ length: 2 * window }, (_, i) => monthFromIndex(last - 2 * window + 1 + i));
  const monthsBefore = months.slice(0, window);
  const monthsAfter = months.slice(window);
  const available = new Set(all);
  if (!months.every((m) => available.has(m))) return empty(`The scan needs ${2 * window} months with data; there are fewer.`, monthsBefore, monthsAfter);

  const yearEarlier = shiftMonths(months, -12);
  let baseline: BaselineKind;
  let counts;
  if (yearEarlier.every((m) => available.has(m))) {
    counts = readWindow(area, { table: 'sector-month-category', periods: [...months, ...yearEarlier], months: [...months, ...yearEarlier], sectors: null });
    baseline = 'year-earlier';
  }
  if (!counts || counts.organisations.length === 0) {
    counts = readWindow(area, { table: 'sector-month-category', periods: months, months, sectors: null });
    baseline = 'rest-of-area';
  }
  if (counts.organisations.length === 0) return empty('No organisation reported for every month of the scan.', monthsBefore, monthsAfter);
  const sectors = [...counts.counts.keys()].sort();
  // Area totals per category and month, so "the rest of the area" is a subtraction rather than a sum per series.
  const areaTotals = new Map<string, Map<string, number>>();
  for (const byCategory of counts.counts.values()) {
    for (const [category, byMonth] of byCategory) {
      const t = areaTotals.get(category) ?? areaTotals.set(category, new Map()).get(category)!;
      for (const [month, n] of byMonth) t.set(month, (t.get(month) ?? 0) + n);
    }
  }
  const series: { key: { sector: string; category: string }; periods: PeriodCounts[] }[] = [];
  for (const sector of sectors) {
    const byCategory = counts.counts.get(sector)!;
    for (const category of [...byCategory.keys()].sort()) {
      const own = byCategory.get(category)!;
      series.push({
        key: { sector, category },
        periods: months.map((m, i) => ({
          period: m,
          after: i >= window,
          study: own.get(m) ?? 0,
          baseline: baseline! === 'year-earlier' ? (own.get(yearEarlier[i]!) ?? 0) : (areaTotals.get(category)?.get(m) ?? 0) - (own.get(m) ?? 0),
        })),
      });
    }
  }
  const family = estimateFamily(series, options.minTotal === undefined ? {} : { minTotal: options.minTotal });
  const changes = family.results
    .filter((r) => r.pValue !== null)
    .map(({ key, ...r }) => ({ ...r, sector: key.sector, category: key.category, reading: readingOf(r) }))
    .sort((a, b) => (a.pValue ?? 2) - (b.pValue ?? 2) || a.sector.localeCompare(b.sector) || a.category.localeCompare(b.category))
    .slice(0, options.limit ?? 20);
  return {
    window,
    baseline: baseline!,
    baselineWhy:
      baseline! === 'year-earlier'
        ? `each sector and category against itself in the same months a year earlier (${yearEarlier[0]} to ${yearEarlier[yearEarlier.length - 1]}), so the season is allowed for`
        : 'each sector against the rest of the area in the same months (there is no year-earlier data from the same organisations), so the season and area-wide changes are allowed for, but a change across the whole area is not looked for',
    monthsBefore,
    monthsAfter,
    organisations: counts.organisations,
    tested: family.tested,
    tooLittle: family.tooLittle,
    discoveries: family.discoveries,
    fdrLevel: FDR_LEVEL,
    dispersion: Number.isFinite(family.dispersion.factor) ? family.dispersion.factor : null,
    dispersionDf: family.dispersion.df,
    changes,
  };
}
