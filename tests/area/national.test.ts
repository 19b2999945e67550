/**
 * Need against national assumptions: rates per 1,000 residents against what deprivation predicts
 * from the whole area's rates, as ratios with intervals, furthest from the assumption first.
 */
import poisson from '@stdlib/random-base-poisson';
import { describe, expect, it } from 'vitest';
import { fitLogLinear, monthlyDispersion, needAgainstAssumptions, ratioInterval, type SectorProfileForRates } from '../../src-main/core/area/national.ts';
import type { DomainDeciles } from '../../src-main/core/deprivation.ts';
import { importBundleBytes } from '../../src-main/db/area/import.ts';
import { needAgainstNationalAssumptions, populationFromReference } from '../../src-main/db/area/national.ts';
import { trustKey } from '../../src-main/db/area/trust.ts';
import { bundleOf, constructedRows, importOptions, lastMonths, newKey, tempArea } from './fixtures.ts';

const domains = (d: number): DomainDeciles => ({ income: d, employment: d, education: d, health: d, crime: d, housing: d, livingEnvironment: d });

describe('the deprivation model and its ratios', () => {
  it('recovers a known log-linear gradient', () => {
    // Rate per person = exp(-4 - 0.2 × decile), exact expected counts.
    const points = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((x) => ({ x, exposure: 10_000, y: 10_000 * Math.exp(-4 - 0.2 * x) }));
    const fit = fitLogLinear(points)!;
    expect(fit.a).toBeCloseTo(-4, 8);
    expect(fit.b).toBeCloseTo(-0.2, 8);
    expect(fitLogLinear(points.slice(0, 2))).toBeNull();
  });

  it('gives exact Poisson limits, widened by overdispersion', () => {
    // 5 observed against 5 expected: 95% interval 0.325 to 2.334 (Garwood).
    const exact = ratioInterval(5, 5, 1);
    expect(exact.ratio).toBe(1);
    expect(exact.lower).toBeCloseTo(1.623486 / 5, 5);
    expect(exact.upper).toBeCloseTo(11.668332 / 5, 5);
    const wider = ratioInterval(5, 5, 3);
    expect(wider.upper - wider.lower).toBeGreaterThan(exact.upper - exact.lower);
    expect(
      monthlyDispersion([
        [10, 10, 10],
        [0, 0, 0],
      ]),
    ).toEqual({ dispersion: 0, df: 2 });
  });

  it('puts the sector furthest from its deprivation first, and calls none far when need follows deprivation', () => {
    const draw = poisson.factory({ seed: 3 });
    const profiles: SectorProfileForRates[] = Array.from({ length: 12 }, (_, i) => ({
      sector: `PR${i + 1} 1`,
      residents: 8000,
      imdDecile: (i % 10) + 1,
      domains: domains((i % 10) + 1),
    }));
    // Money & debt at 40 per 1,000 a year in decile 1, falling with deprivation; PR3 1 records three times its share.
    const expectedCount = (p: SectorProfileForRates) => (p.residents / 1000) * 40 * Math.exp(-0.15 * (p.domains.income - 1));
    const observed = new Map(profiles.map((p) => [p.sector, new Map([['money-debt', draw(expectedCount(p) * (p.sector === 'PR3 1' ? 3 : 1))]])]));
    const rows = needAgainstAssumptions(observed, profiles, { months: 12, dispersion: 1, labels: { 'money-debt': 'Money & debt' } });
    expect(rows[0]!.sector).toBe('PR3 1');
    expect(rows[0]!.lower).toBeGreaterThan(1.5);
    expect(rows[0]!.basis).toBe('income domain decile 3.0');
    expect(rows[0]!.summary).toMatch(/^PR3 1: \d\.\d+ times the Money & debt need its deprivation predicts from the rest of the area \(95% interval/);
    // The others sit a little below: the rest of the area, for them, includes PR3 1. None is nearly as far.
    expect(rows[0]!.distance).toBeGreaterThan(3 * rows[1]!.distance);

    const fair = new Map(profiles.map((p) => [p.sector, new Map([['money-debt', draw(expectedCount(p))]])]));
    const none = needAgainstAssumptions(fair, profiles, { months: 12, dispersion: 1 });
    expect(none.filter((r) => r.distance > 0).length).toBeLessThanOrEqual(1);
    expect(none.find((r) => r.distance === 0)!.summary).toMatch(/is in line with what its deprivation predicts/);
  });
});

describe('in the area database', () => {
  it('reads residents through the population interface, and says when there are none', async () => {
    const area = tempArea();
    const months = lastMonths(12);
    const key = newKey();
    trustKey(area.db, { publicKeyPem: key.publicKeyPem });
    const rows = ['PR1 2', 'PR1 3', 'PR1 4', 'PR1 5', 'PR1 6', 'PR1 7'].flatMap((sector, i) =>
      constructedRows(
        sector,
        'money-debt',
        'MON-PRIORITY-DEBT',
        months,
        months.map(() => 10 + 10 * i),
      ).map((r) => ({ ...r, clientId: r.clientId + i * 10_000 })),
    );
    const b = await bundleOf({
      org: { id: 'org-a', name: 'A' },
      key,
      from: months[0]!,
      to: months[11]!,
      sequence: 1,
      rows: { presentations: rows, outcomes: [] },
    });
    expect((await importBundleBytes(area, 'a', b.file, importOptions)).outcome).toBe('accepted');
    const residents: Record<string, number> = { 'PR1 2': 6000, 'PR1 3': 6000, 'PR1 4': 6000, 'PR1 5': 6000, 'PR1 6': 6000, 'PR1 9': 6000 };
    const report = needAgainstNationalAssumptions(
      area,
      { year: 'mid-2020', residents: (s) => residents[s] ?? null },
      (sectors) => new Map(sectors.map((s, i) => [s, { imdDecile: 2 + i, domains: domains(2 + i) }])),
      { labels: { 'money-debt': 'Money & debt' } },
    );
    expect(report.months).toEqual(months);
    expect(report.leftOut).toEqual(['PR1 7']);
    expect(report.limitedTo).toBeNull();
    expect(report.rows).toHaveLength(5);
    const pr12 = report.rows.find((r) => r.sector === 'PR1 2')!;
    expect(Math.abs(pr12.observed - 120)).toBeLessThanOrEqual(24);
    expect(pr12.ratePer1000).toBeCloseTo((pr12.observed / 6000) * 1000, 10);
    // Limited to our area: only its sectors are compared, and their expectation comes from each other.
    const ours = needAgainstNationalAssumptions(
      area,
      { year: 'mid-2020', residents: (s) => residents[s] ?? null },
      (sectors) => new Map(sectors.map((s, i) => [s, { imdDecile: 2 + i, domains: domains(2 + i) }])),
      { within: { sectors: new Set(['PR1 2', 'PR1 3', 'PR1 4', 'PR1 5', 'PR1 6', 'PR1 9']), names: ['Preston'] } },
    );
    expect(ours.limitedTo).toEqual(['Preston']);
    // PR1 7 is outside; PR1 9 is inside with nothing recorded: it counts, as a sector where need did not reach services.
    expect(new Set(ours.rows.map((r) => r.sector))).toEqual(new Set(['PR1 2', 'PR1 3', 'PR1 4', 'PR1 5', 'PR1 6', 'PR1 9']));
    expect(ours.rows.find((r) => r.sector === 'PR1 9')).toMatchObject({ observed: 0, lower: 0 });
    // Reference data without residents: the interface says so rather than guessing.
    expect(populationFromReference({})).toBeNull();
    expect(populationFromReference({ sectorResidents: () => ({ residents: 5 }), population: () => ({ year: 'mid-2020' }) })!.residents('X')).toBe(5);
  });
});
