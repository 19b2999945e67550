/**
 * The probability distributions NeedMap's statistics need, from stdlib (the @stdlib/stats-base-dists-*
 * packages: maintained, typed, and tested against reference implementations), so nothing here is
 * a hand-written approximation. Every other module asks this one, so the library is named once.
 */
import gammaQuantile from '@stdlib/stats-base-dists-gamma-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** Two-sided p-value of a t statistic on `df` degrees of freedom (df = Infinity: the normal). */
export function twoSidedTP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  const d = Number.isFinite(df) ? df : 1e9;
  return Math.min(1, 2 * tCdf(-Math.abs(t), d));
}

/** The t value leaving (1 − level) / 2 in each tail, e.g. 2.306 for level 0.95 on 8 df. */
export function tCritical(level: number, df: number): number {
  return tQuantile(1 - (1 - level) / 2, Number.isFinite(df) ? df : 1e9);
}

/**
 * Exact (Garwood) interval for a Poisson mean given an observed count, from gamma quantiles:
 * lower = G⁻¹(α/2; k), upper = G⁻¹(1 − α/2; k + 1). A non-integer "effective" count (a count
 * divided by an overdispersion factor) is allowed.
 */
export function poissonMeanInterval(count: number, level: number): { lower: number; upper: number } {
  const alpha = 1 - level;
  return {
    lower: count > 0 ? gammaQuantile(alpha / 2, count, 1) : 0,
    upper: gammaQuantile(1 - alpha / 2, count + 1, 1),
  };
}
