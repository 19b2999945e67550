/**
 * Recorded need against national assumptions. For each sector and issue category:
 *
 * - the **rate**: presentations per 1,000 residents a year (residents from the ONS mid-year
 *   population per postcode sector, shipped with the national postcode data);
 * - the **expected** count if need followed deprivation as it does across the rest of the area: a
 *   Poisson regression over the area's other sectors (leaving the sector itself out, so an unusual
 *   sector cannot pull its own expectation towards it), log(expected) = log(residents × years) +
 *   a + b × (the sector's decile for the matching IoD domain), fitted by Newton's method;
 * - their **ratio** (1 = as deprivation predicts), with a 95% interval from exact Poisson limits
 *   (gamma quantiles) on the count scaled by the overdispersion of the sector's monthly counts
 *   (clustering within people and disclosure noise), so a ratio is called far from the assumption
 *   only when chance variation cannot explain it.
 *
 * Where a framework indicator gives a national prevalence (per 1,000 of its population), the
 * recorded rate is also shown as a ratio to it, with the same interval.
 */
import type { DomainDeciles, DomainName } from '../deprivation.ts';
import { poissonMeanInterval } from '../stats/distributions.ts';

/** Which IoD domain a category's need is expected to follow; others follow the overall IMD decile. */
export const CATEGORY_DOMAIN: Readonly<Record<string, DomainName>> = {
  'money-debt': 'income',
  benefits: 'income',
  'employment-skills': 'employment',
  education: 'education',
  'physical-health': 'health',
  'mental-health': 'health',
  'crime-justice': 'crime',
  'safety-abuse': 'crime',
  housing: 'housing',
};

export interface SectorProfileForRates {
  sector: string;
  residents: number;
  imdDecile: number;
  domains: Readonly<DomainDeciles>;
}

export interface RatioWithInterval {
  ratio: number;
  lower: number;
  upper: number;
}

/** Observed / expected with a 95% interval, allowing for overdispersion φ ≥ 1. */
export function ratioInterval(observed: number, expected: number, dispersion: number, level = 0.95): RatioWithInterval {
  const phi = Math.max(1, dispersion);
  const limits = poissonMeanInterval(observed / phi, level);
  return { ratio: observed / expected, lower: (limits.lower * phi) / expected, upper: (limits.upper * phi) / expected };
}

/** Fits log μᵢ = log(exposureᵢ) + a + b xᵢ to counts yᵢ by Newton's method (Poisson maximum likelihood). */
export function fitLogLinear(points: readonly { y: number; exposure: number; x: number }[]): { a: number; b: number } | null {
  const totalY = points.reduce((n, p) => n + p.y, 0);
  const totalE = points.reduce((n, p) => n + p.exposure, 0);
  if (points.length < 3 || totalY === 0 || totalE <= 0) return null;
  const xs = new Set(points.map((p) => p.x));
  let a = Math.log(totalY / totalE);
  let b = 0;
  if (xs.size < 2) return { a, b };
  for (let iteration = 0; iteration < 50; iteration++) {
    let g0 = 0,
      g1 = 0,
      h00 = 0,
      h01 = 0,
      h11 = 0;
    for (const p of points) {
      const mu = p.exposure * Math.exp(a + b * p.x);
      g0 += p.y - mu;
      g1 += (p.y - mu) * p.x;
      h00 += mu;
      h01 += mu * p.x;
      h11 += mu * p.x * p.x;
    }
    const det = h00 * h11 - h01 * h01;
    if (!(det > 0)) return null;
    const da = (h11 * g0 - h01 * g1) / det;
    const db = (h00 * g1 - h01 * g0) / det;
    a += da;
    b += db;
    if (Math.abs(da) < 1e-10 && Math.abs(db) < 1e-10) break;
  }
  return Number.isFinite(a) && Number.isFinite(b) ? { a, b } : null;
}

export interface NeedAgainstAssumption extends RatioWithInterval {
  sector: string;
  category: string;
  observed: number;
  expected: number;
  residents: number;
  /** Presentations per 1,000 residents a year. */
  ratePer1000: number;
  /** The deprivation measure the expectation used, e.g. "income domain decile 2.4". */
  basis: string;
  /** How far the interval lies from 1 on the log scale (0 when it includes 1): the ranking. */
  distance: number;
  summary: string;
}

export interface AssumptionOptions {
  months: number;
  dispersion: number;
  labels?: Readonly<Record<string, string>>;
  /** Sectors with fewer residents are left out (too few to give a rate; most such sectors are city-centre business districts). */
  minResidents?: number;
}

function decileFor(p: SectorProfileForRates, category: string): { x: number; basis: string } {
  const domain = CATEGORY_DOMAIN[category];
  if (domain) return { x: p.domains[domain], basis: `${domain} domain decile ${p.domains[domain].toFixed(1)}` };
  return { x: p.imdDecile, basis: `IMD decile ${p.imdDecile.toFixed(1)}` };
}

function formatRatio(r: number): string {
  return r >= 10 ? r.toFixed(0) : r >= 3 ? r.toFixed(1) : r.toFixed(2);
}

/**
 * Ratios for every sector × category with residents and a deprivation profile, furthest from the
 * assumption first. `observed` is sector → category → presentations over `options.months` months.
 */
export function needAgainstAssumptions(
  observed: ReadonlyMap<string, ReadonlyMap<string, number>>,
  profiles: readonly SectorProfileForRates[],
  options: AssumptionOptions,
): NeedAgainstAssumption[] {
  const minResidents = options.minResidents ?? 1000;
  const usable = profiles.filter((p) => p.residents >= minResidents);
  const years = options.months / 12;
  const categories = new Set<string>();
  for (const byCategory of observed.values()) for (const c of byCategory.keys()) categories.add(c);
  const out: NeedAgainstAssumption[] = [];
  for (const category of [...categories].sort()) {
    const points = usable.map((p) => ({ p, y: observed.get(p.sector)?.get(category) ?? 0, exposure: p.residents * years, ...decileFor(p, category) }));
    const label = options.labels?.[category] ?? category;
    for (const [i, { p, y, exposure, x, basis }] of points.entries()) {
      const fit = fitLogLinear(points.filter((_, j) => j !== i));
      if (!fit) continue;
      const expected = exposure * Math.exp(fit.a + fit.b * x);
      if (!(expected > 0)) continue;
      const interval = ratioInterval(y, expected, options.dispersion);
      const distance = interval.lower > 1 ? Math.log(interval.lower) : interval.upper < 1 ? -Math.log(interval.upper) : 0;
      const rate = (y / exposure) * 1000;
      const range = `${formatRatio(interval.lower)} to ${formatRatio(interval.upper)}`;
      const summary =
        distance === 0
          ? `${p.sector}: ${label} need recorded (${rate.toFixed(1)} per 1,000 residents a year) is in line with what its deprivation predicts from the rest of the area (ratio ${formatRatio(interval.ratio)}, 95% interval ${range})`
          : `${p.sector}: ${formatRatio(interval.ratio)} times the ${label} need its deprivation predicts from the rest of the area (95% interval ${range}; ${y} presentations, ${rate.toFixed(1)} per 1,000 residents a year, against ${expected < 10 ? expected.toFixed(1) : expected.toFixed(0)} expected)`;
      out.push({ sector: p.sector, category, observed: y, expected, residents: p.residents, ratePer1000: rate, basis, distance, summary, ...interval });
    }
  }
  return out.sort((a, b) => b.distance - a.distance || Math.abs(Math.log((b.ratio || 1e-9) / 1)) - Math.abs(Math.log((a.ratio || 1e-9) / 1)));
}

/** Pearson χ² / df of monthly counts about each series' own mean: the within-sector overdispersion. */
export function monthlyDispersion(series: Iterable<readonly number[]>): { dispersion: number; df: number } {
  let pearson = 0;
  let df = 0;
  for (const counts of series) {
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    if (counts.length < 2 || mean === 0) continue;
    for (const c of counts) pearson += (c - mean) ** 2 / mean;
    df += counts.length - 1;
  }
  return { dispersion: df > 0 ? pearson / df : 1, df };
}
