/**
 * The change estimator (core/area/change.ts) against known values, and simulated checks of how it
 * behaves: on seasonal, overdispersed series with no step its false alarm rate stays near the
 * nominal 5% (where the old before/after Poisson test cried wolf every winter); a step of a
 * realistic size is found; and a new service whose catchment rises no more than its comparison
 * sectors is not credited.
 */
import negativeBinomial from '@stdlib/random-base-negative-binomial';
import poisson from '@stdlib/random-base-poisson';
import { describe, expect, it } from 'vitest';
import { estimateChange, estimateFamily, pearsonOf, pooledDispersion, type PeriodCounts } from '../../src-main/core/area/change.ts';
import { describeChange } from '../../src-main/core/area/change-words.ts';
import { poissonMeanInterval, tCritical, twoSidedTP } from '../../src-main/core/stats/distributions.ts';
import { benjaminiHochberg } from '../../src-main/core/stats/fdr.ts';

describe('the distributions and the false discovery rate', () => {
  it('give the textbook values', () => {
    expect(tCritical(0.95, 8)).toBeCloseTo(2.306004, 5);
    expect(twoSidedTP(2.306004, 8)).toBeCloseTo(0.05, 5);
    expect(twoSidedTP(1.959964, Infinity)).toBeCloseTo(0.05, 5);
    // Garwood interval for 5 events: 1.6235 to 11.6683 (as in R's poisson.test(5)).
    const five = poissonMeanInterval(5, 0.95);
    expect(five.lower).toBeCloseTo(1.623486, 5);
    expect(five.upper).toBeCloseTo(11.668332, 5);
    expect(poissonMeanInterval(0, 0.95)).toEqual({ lower: 0, upper: expect.closeTo(3.688879, 5) });
  });

  it('adjusts p-values as R’s p.adjust(method = "BH") does', () => {
    const p = [0.01, 0.04, 0.03, 0.005, 0.2];
    // p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2), "BH") = 0.025 0.05 0.05 0.025 0.2
    expect(benjaminiHochberg(p).map((q) => Number(q.toFixed(6)))).toEqual([0.025, 0.05, 0.05, 0.025, 0.2]);
    expect(benjaminiHochberg([])).toEqual([]);
  });
});

const months = (before: number[], after: number[], baselineBefore: number[], baselineAfter: number[]): PeriodCounts[] => [
  ...before.map((study, i) => ({ period: `b${i}`, after: false, study, baseline: baselineBefore[i]! })),
  ...after.map((study, i) => ({ period: `a${i}`, after: true, study, baseline: baselineAfter[i]! })),
];

describe('the difference-in-differences estimate', () => {
  it('is the ratio of the two series’ changes, with an interval widened by overdispersion', () => {
    const periods = months([40, 42, 38], [70, 75, 72], [50, 52, 48], [51, 49, 50]);
    const poissonOnly = estimateChange(periods, { factor: 1, df: 100 });
    expect(poissonOnly.ratio).toBeCloseTo(217 / 120 / (150 / 150), 10);
    const se = Math.sqrt(1 / 217 + 1 / 120 + 1 / 150 + 1 / 150);
    expect(poissonOnly.lower).toBeCloseTo((217 / 120) * Math.exp(-tCritical(0.95, 100) * se), 10);
    const overdispersed = estimateChange(periods, { factor: 3, df: 100 });
    expect(overdispersed.ratio).toBeCloseTo(poissonOnly.ratio!, 10);
    expect(overdispersed.upper! - overdispersed.lower!).toBeGreaterThan(poissonOnly.upper! - poissonOnly.lower!);
    expect(overdispersed.pValue!).toBeGreaterThan(poissonOnly.pValue!);
  });

  it('estimates φ from the scatter of the months about the fit, pooled over series', () => {
    // A constant share every month: no scatter at all.
    expect(pearsonOf(months([10, 20, 30], [20, 40, 60], [10, 20, 30], [10, 20, 30]))).toEqual({ pearson: 0, df: 4 });
    expect(
      pooledDispersion([
        { pearson: 30, df: 4 },
        { pearson: 10, df: 6 },
      ]),
    ).toEqual({ factor: 4, df: 10 });
    expect(pooledDispersion([]).df).toBe(0);
  });

  it('says "too little data to say" rather than guess', () => {
    const few = estimateChange(months([1, 2, 0], [3, 1, 2], [40, 40, 40], [40, 40, 40]), { factor: 1, df: 10 });
    expect(few.ratio).toBeNull();
    expect(few.tooLittle).toMatch(/^too little data to say/);
    const noDf = estimateChange(months([40], [60], [40], [40]), pooledDispersion([pearsonOf(months([40], [60], [40], [40]))]));
    expect(noDf.tooLittle).toMatch(/too few periods/);
    const text = describeChange(
      { subject: 'Housing presentations', where: 'in PR1 2', afterWords: 'the 3 months after', occasion: 'X', baseline: 'year-earlier', tested: 1 },
      { ...few, qValue: null },
    );
    expect(text).toMatch(/too little data to say/);
    expect(text).not.toMatch(/caus/);
  });

  it('words a finding as "coincided with", never as a cause, and names what was compared', () => {
    const family = estimateFamily([
      { key: 'money', periods: months([40, 42, 38, 41, 39, 40], [70, 75, 72, 69, 74, 71], [50, 52, 48, 49, 51, 50], [51, 49, 50, 52, 48, 50]) },
    ]);
    const text = describeChange(
      {
        subject: 'Money & debt presentations',
        where: 'in PR1 2',
        afterWords: 'the 6 months after',
        occasion: 'Large employer closed (2025-11-14)',
        baseline: 'year-earlier',
        tested: family.tested,
      },
      family.results[0]!,
    );
    expect(text).toMatch(/^Money & debt presentations in PR1 2 went from 240 to 431 \(\+80%\) in the 6 months after, while in the same months a year earlier/);
    expect(text).toMatch(/95% interval \d\.\d\d to \d\.\d\d/);
    expect(text).toMatch(/coincided with Large employer closed \(2025-11-14\); these figures alone do not show it was the cause\.$/);
  });
});

// ---- simulations ----

const SEED = 20260214;
const nb = negativeBinomial.factory({ seed: SEED });
const pois = poisson.factory({ seed: SEED + 1 });

/** A count with mean μ and variance φμ (gamma–Poisson), as clustered presentations are. */
function draw(mean: number, phi: number): number {
  if (phi <= 1) return pois(mean);
  return nb(mean / (phi - 1), 1 / phi);
}

/** Monthly mean with a winter peak (×1.6 in January, ×0.6 in July), as fuel poverty has. */
function seasonal(level: number, month: number): number {
  return level * (1 + 0.5 * Math.cos((2 * Math.PI * month) / 12));
}

interface Scenario {
  level: number;
  phi: number;
  window: number;
  /** Multiplies the study series after the event. */
  step: number;
  /** Multiplies the baseline series after the event (a shared rise). */
  baselineStep?: number;
  /** How many categories share the dispersion estimate. */
  categories?: number;
}

/** One simulated report: returns whether the first category was called a change (q < 0.05) and its plain (unseasoned) Poisson p-value. */
function simulateReport(s: Scenario, replicate: number): { called: boolean; ratio: number | null; naivePoissonCalled: boolean } {
  // Events fall in every month of the year in turn.
  const eventMonth = 24 + (replicate % 12);
  const series = Array.from({ length: s.categories ?? 10 }, (_, c) => {
    const periods: PeriodCounts[] = [];
    for (let k = -s.window; k <= s.window; k++) {
      if (k === 0) continue;
      const m = eventMonth + k;
      const after = k > 0;
      const studyMean = seasonal(s.level, m) * (after && c === 0 ? s.step : 1);
      const baselineMean = seasonal(s.level, m) * (after && c === 0 ? (s.baselineStep ?? 1) : 1);
      periods.push({ period: String(m), after, study: draw(studyMean, s.phi), baseline: draw(baselineMean, s.phi) });
    }
    return { key: c, periods };
  });
  const family = estimateFamily(series);
  const first = family.results[0]!;
  // The old method: study before against study after, Poisson, no season (normal approximation of the exact test).
  const b = first.studyBefore;
  const a = first.studyAfter;
  const z = Math.abs(Math.log((a + 0.5) / (b + 0.5))) / Math.sqrt(1 / (a + 0.5) + 1 / (b + 0.5));
  return { called: first.qValue !== null && first.qValue < 0.05, ratio: first.ratio, naivePoissonCalled: twoSidedTP(z, Infinity) < 0.05 };
}

function rate(n: number, s: Scenario, pick: (r: ReturnType<typeof simulateReport>) => boolean): number {
  let hits = 0;
  for (let i = 0; i < n; i++) if (pick(simulateReport(s, i))) hits++;
  return hits / n;
}

describe('simulated checks', () => {
  it('keeps the false alarm rate near 5% on seasonal, overdispersed series with no step', () => {
    const s: Scenario = { level: 40, phi: 2, window: 3, step: 1, categories: 1 };
    // One comparison per report, so q = p: the rate at which a no-change series is called a change.
    const falseAlarms = rate(2000, s, (r) => r.called);
    expect(falseAlarms).toBeGreaterThan(0.03);
    expect(falseAlarms).toBeLessThan(0.075);
    // The old test (no season, Poisson) on the same kind of series calls changes far too often.
    const naive = rate(500, s, (r) => r.naivePoissonCalled);
    expect(naive).toBeGreaterThan(0.3);
  });

  it('keeps it near nominal with the dispersion pooled over ten categories too', () => {
    const falseAlarms = rate(1000, { level: 40, phi: 2, window: 3, step: 1, categories: 10 }, (r) => r.called);
    expect(falseAlarms).toBeLessThan(0.075);
  });

  it('finds a realistic step: benefits presentations up by half after an employer closes', () => {
    // 100 a month in the affected sectors, clustered (φ = 1.5), six months either side, all ten categories tested.
    const scenario: Scenario = { level: 100, phi: 1.5, window: 6, step: 1.5, categories: 10 };
    const found = rate(300, scenario, (r) => r.called && r.ratio! > 1);
    expect(found).toBeGreaterThan(0.8);
  });

  it('does not credit a new service whose catchment rises no more than its comparison sectors', () => {
    // Both rise by 30% after the opening (a borough-wide change): the service is not credited.
    const credited = rate(1000, { level: 40, phi: 2, window: 6, step: 1.3, baselineStep: 1.3, categories: 3 }, (r) => r.called && r.ratio! > 1);
    expect(credited).toBeLessThan(0.05);
    // …while a rise in the catchment alone of the same size usually is.
    const real = rate(300, { level: 60, phi: 1.5, window: 6, step: 1.6, baselineStep: 1, categories: 3 }, (r) => r.called && r.ratio! > 1);
    expect(real).toBeGreaterThan(0.7);
  });
});
