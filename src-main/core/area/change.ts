/**
 * Change against a baseline: a difference-in-differences of counts, allowing for overdispersion.
 *
 * Where the change is looked for (the "study" series: an event's sectors, a new service's
 * catchment, one sector in the scan) is set beside a baseline series that shares its season:
 * the same sectors in the same months a year earlier, or comparison sectors in the same months.
 * With totals SB, SA (study before, after) and CB, CA (baseline before, after), the estimate is
 *
 *     ratio = (SA / SB) / (CA / CB)
 *
 * — how many times the study's change was the baseline's (1 = no difference). It is the maximum
 * likelihood estimate of the interaction in the log-linear model log μ = period effect + series
 * effect + step after, with one effect per month shared by both series (conditioning on each
 * month's total turns it into a logistic regression on "after", which has this closed form).
 *
 * Presentations are not Poisson: they cluster within people, and the disclosure control adds
 * noise. So the variance is taken as φ × the Poisson variance (quasi-Poisson), with φ estimated
 * from how much the monthly counts scatter around the fitted model (Pearson χ² / degrees of
 * freedom, pooled over every series in the same report, as R's quasipoisson family does). The
 * interval and p-value then come from Student's t on the pooled degrees of freedom, which allows
 * for φ itself being estimated from few months. With SE² = φ (1/SA + 1/SB + 1/CA + 1/CB):
 *
 *     95% interval = exp(log ratio ± t₀.₉₇₅ × SE),   p = 2 P(T > |log ratio| / SE).
 *
 * Where any total is 0, 0.5 is added to each (Haldane), so a fall to nothing still has an estimate.
 */
import { tCritical, twoSidedTP } from '../stats/distributions.ts';
import { benjaminiHochberg } from '../stats/fdr.ts';

/** One period's counts (a month, or a quarter) in the study and the baseline series. */
export interface PeriodCounts {
  /** "2025-11", "2025-Q3": the study's period. */
  period: string;
  after: boolean;
  study: number;
  baseline: number;
}

export interface Totals {
  studyBefore: number;
  studyAfter: number;
  baselineBefore: number;
  baselineAfter: number;
}

export interface Dispersion {
  /** φ used: the pooled Pearson χ² / df (NaN when there were no degrees of freedom). */
  factor: number;
  /** Degrees of freedom of the pooled estimate (those of the t distribution used). */
  df: number;
}

export interface ChangeEstimate extends Totals {
  /** (SA / SB) / (CA / CB); null when there is too little data to say. */
  ratio: number | null;
  lower: number | null;
  upper: number | null;
  pValue: number | null;
  /** Why nothing is estimated ("too little data to say…"), or null. */
  tooLittle: string | null;
}

export const CONFIDENCE = 0.95;
export const FDR_LEVEL = 0.05;
/** Fewer presentations than this in either series (before and after together) is too little to say anything. */
export const MIN_SERIES_TOTAL = 10;
/** Fewer pooled degrees of freedom than this cannot say how much counts vary by chance. */
export const MIN_DISPERSION_DF = 2;

export function totalsOf(periods: readonly PeriodCounts[]): Totals {
  const t: Totals = { studyBefore: 0, studyAfter: 0, baselineBefore: 0, baselineAfter: 0 };
  for (const p of periods) {
    if (![p.study, p.baseline].every((n) => Number.isInteger(n) && n >= 0)) throw new RangeError('Counts must be whole numbers of at least 0.');
    if (p.after) {
      t.studyAfter += p.study;
      t.baselineAfter += p.baseline;
    } else {
      t.studyBefore += p.study;
      t.baselineBefore += p.baseline;
    }
  }
  return t;
}

/**
 * Pearson χ² of one series' periods about the fitted model (the study's share of each period's
 * total is constant before and constant after), and its degrees of freedom (periods with any
 * count, less the 2 shares fitted).
 */
export function pearsonOf(periods: readonly PeriodCounts[]): { pearson: number; df: number } {
  const t = totalsOf(periods);
  const share = (after: boolean) => (after ? t.studyAfter / (t.studyAfter + t.baselineAfter) : t.studyBefore / (t.studyBefore + t.baselineBefore));
  let pearson = 0;
  const used = { before: 0, after: 0 };
  for (const p of periods) {
    const n = p.study + p.baseline;
    if (n === 0) continue;
    const pi = share(p.after);
    if (pi <= 0 || pi >= 1) continue;
    used[p.after ? 'after' : 'before']++;
    pearson += (p.study - n * pi) ** 2 / (n * pi * (1 - pi));
  }
  return { pearson, df: Math.max(0, used.before - 1) + Math.max(0, used.after - 1) };
}

/** φ pooled over every series of a report (a common dispersion, as in one quasi-Poisson model). */
export function pooledDispersion(parts: readonly { pearson: number; df: number }[]): Dispersion {
  const df = parts.reduce((n, p) => n + p.df, 0);
  if (df === 0) return { factor: Number.NaN, df: 0 };
  return { factor: parts.reduce((n, p) => n + p.pearson, 0) / df, df };
}

export function estimateChange(periods: readonly PeriodCounts[], dispersion: Dispersion, options: { minTotal?: number } = {}): ChangeEstimate {
  const t = totalsOf(periods);
  const minTotal = options.minTotal ?? MIN_SERIES_TOTAL;
  const none = (why: string): ChangeEstimate => ({ ...t, ratio: null, lower: null, upper: null, pValue: null, tooLittle: why });
  if (!periods.some((p) => p.after) || !periods.some((p) => !p.after)) return none('too little data to say: there must be periods both before and after');
  const study = t.studyBefore + t.studyAfter;
  const baseline = t.baselineBefore + t.baselineAfter;
  if (study < minTotal || baseline < minTotal) {
    return none(`too little data to say: ${Math.min(study, baseline)} presentations in the smaller series, and at least ${minTotal} are needed`);
  }
  if (dispersion.df < MIN_DISPERSION_DF) {
    return none('too little data to say: too few periods to judge how much the counts vary by chance (use more months)');
  }
  const cells = [t.studyAfter, t.studyBefore, t.baselineAfter, t.baselineBefore];
  const add = cells.some((c) => c === 0) ? 0.5 : 0;
  const [sa, sb, ca, cb] = cells.map((c) => c + add) as [number, number, number, number];
  const logRatio = Math.log(sa / sb) - Math.log(ca / cb);
  const se = Math.sqrt(dispersion.factor * (1 / sa + 1 / sb + 1 / ca + 1 / cb));
  const half = tCritical(CONFIDENCE, dispersion.df) * se;
  return {
    ...t,
    ratio: Math.exp(logRatio),
    lower: Math.exp(logRatio - half),
    upper: Math.exp(logRatio + half),
    pValue: twoSidedTP(logRatio / se, dispersion.df),
    tooLittle: null,
  };
}

export interface TestedChange<K> extends ChangeEstimate {
  key: K;
  /** Benjamini–Hochberg q-value across every comparison estimated in the same report; null when not estimated. */
  qValue: number | null;
}

export interface ChangeFamily<K> {
  dispersion: Dispersion;
  /** How many comparisons were tested (had enough data for an estimate). */
  tested: number;
  /** How many were too small to test. */
  tooLittle: number;
  /** Tested comparisons with q below FDR_LEVEL. */
  discoveries: number;
  results: TestedChange<K>[];
}

/**
 * Estimates every series of one report with a dispersion pooled over all of them, then controls
 * the false discovery rate across those tested. Results keep the input order.
 */
export function estimateFamily<K>(series: readonly { key: K; periods: readonly PeriodCounts[] }[], options: { minTotal?: number } = {}): ChangeFamily<K> {
  const minTotal = options.minTotal ?? MIN_SERIES_TOTAL;
  const enough = (periods: readonly PeriodCounts[]) => {
    const t = totalsOf(periods);
    return t.studyBefore + t.studyAfter >= minTotal && t.baselineBefore + t.baselineAfter >= minTotal;
  };
  const dispersion = pooledDispersion(series.filter((s) => enough(s.periods)).map((s) => pearsonOf(s.periods)));
  const estimates = series.map((s) => ({ key: s.key, ...estimateChange(s.periods, dispersion, { minTotal }) }));
  const testedIndex = estimates.flatMap((e, i) => (e.pValue === null ? [] : [i]));
  const q = benjaminiHochberg(testedIndex.map((i) => estimates[i]!.pValue!));
  const qOf = new Map(testedIndex.map((i, j) => [i, q[j]!]));
  const results = estimates.map((e, i) => ({ ...e, qValue: qOf.get(i) ?? null }));
  return {
    dispersion,
    tested: testedIndex.length,
    tooLittle: series.length - testedIndex.length,
    discoveries: results.filter((r) => r.qValue !== null && r.qValue < FDR_LEVEL).length,
    results,
  };
}
