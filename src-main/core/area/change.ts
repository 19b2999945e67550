/**
 * Before/after comparison of counts, and the automatic scan for the largest recent changes.
 *
 * The test: presentations are treated as Poisson counts. With B presentations in `tB` months
 * before and A in `tA` months after, if the monthly rate did not change then, given the total
 * n = A + B, A follows Binomial(n, tA / (tA + tB)) — the exact conditional test for comparing two
 * Poisson rates (Przyborowski & Wileński 1940; as in R's poisson.test for two samples). The
 * two-sided p-value adds the probabilities of every outcome no more likely than the one seen
 * (the method of R's binom.test). It assumes the same organisations report throughout, which
 * the caller ensures by counting only organisations covering both periods.
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~15 significant digits). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

function logBinomialPmf(k: number, n: number, p: number): number {
  if (p === 0) return k === 0 ? 0 : -Infinity;
  if (p === 1) return k === n ? 0 : -Infinity;
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log(1 - p);
}

/** Exact two-sided binomial test p-value for k successes in n trials with probability p. */
export function binomialTwoSidedP(k: number, n: number, p: number): number {
  if (n === 0) return 1;
  const observed = logBinomialPmf(k, n, p);
  // Outcomes within a relative 1e-7 of the observed probability count as "as extreme" (as R does).
  const limit = observed + Math.log1p(1e-7);
  let total = 0;
  for (let i = 0; i <= n; i++) {
    const lp = logBinomialPmf(i, n, p);
    if (lp <= limit) total += Math.exp(lp);
  }
  return Math.min(1, total);
}

export interface RateComparison {
  before: number;
  after: number;
  monthsBefore: number;
  monthsAfter: number;
  /** Relative change of the monthly rate, e.g. 0.38 for +38%; null when there was nothing before. */
  change: number | null;
  pValue: number;
}

export function compareRates(before: number, after: number, monthsBefore: number, monthsAfter: number): RateComparison {
  if (![before, after].every((n) => Number.isInteger(n) && n >= 0)) throw new RangeError('Counts must be whole numbers of at least 0.');
  if (!(monthsBefore > 0 && monthsAfter > 0)) throw new RangeError('Both periods must last at least one month.');
  const rateBefore = before / monthsBefore;
  const rateAfter = after / monthsAfter;
  return {
    before,
    after,
    monthsBefore,
    monthsAfter,
    change: before === 0 ? null : rateAfter / rateBefore - 1,
    pValue: binomialTwoSidedP(after, before + after, monthsAfter / (monthsBefore + monthsAfter)),
  };
}

export const SIGNIFICANCE = 0.05;

export function formatP(p: number): string {
  if (p < 0.001) return 'p<0.001';
  if (p < 0.01) return `p=${p.toFixed(3)}`;
  return `p=${p.toFixed(2)}`;
}

/**
 * "financial hardship presentations in PR1 2 rose 38% in the 3 months after, unlikely to be
 * chance (p=0.01)".
 */
export function verdict(subject: string, where: string, comparison: RateComparison): string {
  const { before, after, monthsAfter, change, pValue } = comparison;
  const months = monthsAfter === 1 ? 'the month after' : `the ${monthsAfter} months after`;
  let movement: string;
  if (change === null) movement = after === 0 ? `stayed at none in ${months}` : `rose from none to ${after} in ${months}`;
  else if (Math.round(change * 100) === 0) movement = `stayed about the same in ${months}`;
  else movement = `${change > 0 ? 'rose' : 'fell'} ${Math.abs(Math.round(change * 100))}% in ${months}`;
  const chance = pValue < SIGNIFICANCE ? 'unlikely to be chance' : 'could well be chance';
  return `${subject} presentations in ${where} ${movement} (${before} before, ${after} after), ${chance} (${formatP(pValue)})`;
}

export interface SeriesPoint {
  month: string;
  count: number;
}

export interface ScannedChange extends RateComparison {
  sector: string;
  category: string;
}

/**
 * The largest recent changes: for every sector × category series, the last `window` months
 * against the `window` before them; series with fewer than `minTotal` presentations over both
 * windows are skipped (too small to say anything). Ordered by p-value, then by size of change.
 */
export function scanChanges(
  series: readonly { sector: string; category: string; points: readonly SeriesPoint[] }[],
  months: readonly string[],
  options: { window?: number; minTotal?: number; limit?: number } = {},
): ScannedChange[] {
  const window = options.window ?? 3;
  const minTotal = options.minTotal ?? 10;
  if (months.length < window * 2) return [];
  const after = new Set(months.slice(-window));
  const before = new Set(months.slice(-2 * window, -window));
  const out: ScannedChange[] = [];
  for (const s of series) {
    let b = 0;
    let a = 0;
    for (const p of s.points) {
      if (after.has(p.month)) a += p.count;
      else if (before.has(p.month)) b += p.count;
    }
    if (a + b < minTotal) continue;
    out.push({ sector: s.sector, category: s.category, ...compareRates(b, a, window, window) });
  }
  out.sort((x, y) => x.pValue - y.pValue || Math.abs(y.change ?? Infinity) - Math.abs(x.change ?? Infinity));
  return out.slice(0, options.limit ?? 20);
}
