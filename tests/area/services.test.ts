/**
 * New services over a real area database: presentations of its issues in the catchment against
 * comparison sectors, credited only when the catchment changes more than they do; its own
 * bundles show how far it reaches its catchment; honest notes when there is nothing to compare.
 */
import poisson from '@stdlib/random-base-poisson';
import { describe, expect, it } from 'vitest';
import { monthFromIndex, monthIndex, quarterOf } from '../../src-main/core/bundle/period.ts';
import type { PresentationRow } from '../../src-main/core/bundle/tables.ts';
import { importBundleBytes } from '../../src-main/db/area/import.ts';
import { ALL_ISSUES, addService, compareService, deleteService, listServices } from '../../src-main/db/area/services.ts';
import { trustKey } from '../../src-main/db/area/trust.ts';
import { bundleOf, constructedRows, importOptions, lastMonths, newKey, tempArea } from './fixtures.ts';

const ISSUES = [
  ['money-debt', 'MON-PRIORITY-DEBT'],
  ['housing', 'HOU-ARREARS'],
] as const;

function rows(sectors: string[], months: string[], mean: (sector: string, month: string) => number, seed: number, clientOffset = 0): PresentationRow[] {
  const draw = poisson.factory({ seed });
  const out: PresentationRow[] = [];
  let offset = clientOffset;
  for (const sector of sectors) {
    for (const [category, issue] of ISSUES) {
      const made = constructedRows(
        sector,
        category,
        issue,
        months,
        months.map((m) => draw(mean(sector, m))),
      ).map((r) => ({ ...r, clientId: r.clientId + offset }));
      offset += made.length + 1;
      out.push(...made);
    }
  }
  return out;
}

/** 27 months of data; the service opens in the middle of a quarter with 3 whole quarters of data either side. */
async function setUp(mean: (sector: string, month: string, afterOpening: boolean) => number) {
  const area = tempArea();
  const months = lastMonths(27);
  // The first whole quarter after the data's first 3 whole quarters… then one more for the opening.
  let first = 0;
  while (Number(months[first]!.slice(5, 7)) % 3 !== 1) first++;
  const openingQuarterStart = monthIndex(months[first]!) + 9;
  const openedOn = `${monthFromIndex(openingQuarterStart + 1)}-10`;
  const afterStart = openingQuarterStart + 3;
  const key = newKey();
  trustKey(area.db, { publicKeyPem: key.publicKeyPem });
  const presentations = rows(['PR1 2', 'PR1 3', 'PR1 4', 'PR1 5'], months, (s, m) => mean(s, m, monthIndex(m) >= afterStart), 77);
  const b = await bundleOf({ org: { id: 'org-a', name: 'A' }, key, from: months[0]!, to: months[26]!, sequence: 1, rows: { presentations, outcomes: [] } });
  expect((await importBundleBytes(area, 'a', b.file, importOptions)).outcome).toBe('accepted');
  return { area, months, openedOn, openingQuarter: quarterOf(monthFromIndex(openingQuarterStart)) };
}

const labels = { 'MON-PRIORITY-DEBT': 'Priority debts', 'HOU-ARREARS': 'Rent or mortgage arrears' };

describe('a new service', () => {
  it('is credited when its catchment rises more than its comparison sectors', async () => {
    const { area, openedOn, openingQuarter } = await setUp((sector, _m, after) => 40 * (sector === 'PR1 2' && after ? 1.8 : 1));
    const service = addService(area, { name: 'Debt hub', openedOn, sectors: ['PR1 2'], issues: ['MON-PRIORITY-DEBT', 'HOU-ARREARS'] });
    expect(listServices(area)).toEqual([service]);
    const report = compareService(area, service.id, { quarters: 3, issueLabels: labels });
    expect(report.quartersBefore).toHaveLength(3);
    expect(report.quartersAfter).toHaveLength(3);
    expect([...report.quartersBefore, ...report.quartersAfter]).not.toContain(openingQuarter);
    expect(report.presentations.comparisonSectors).toEqual(['PR1 3', 'PR1 4', 'PR1 5']);
    const all = report.presentations.comparisons[0]!;
    expect(all.key).toBe(ALL_ISSUES);
    expect(all.pValue!).toBeLessThan(0.05);
    expect(all.lower!).toBeGreaterThan(1.2);
    expect(all.verdict).toMatch(/^Presentations of its issues in its catchment \(PR1 2\) went from \d+ to \d+/);
    expect(all.verdict).toMatch(/It coincided with the opening of Debt hub/);
    expect(report.reach).toBeNull();
    expect(report.reachNote).toMatch(/Referrals to the service cannot be counted from the bundles/);
  });

  it('is not credited when its catchment rises no more than its comparison sectors', async () => {
    const { area, openedOn } = await setUp((_s, _m, after) => 40 * (after ? 1.3 : 1));
    const service = addService(area, { name: 'Debt hub', openedOn, sectors: ['PR1 2'], issues: ['MON-PRIORITY-DEBT', 'HOU-ARREARS'] });
    const report = compareService(area, service.id, { quarters: 3, issueLabels: labels });
    const all = report.presentations.comparisons[0]!;
    // The catchment rose about 30%, as the comparison sectors did.
    expect(all.studyAfter / all.studyBefore).toBeGreaterThan(1.15);
    expect(all.pValue!).toBeGreaterThan(0.05);
    expect(all.lower!).toBeLessThan(1);
    expect(all.verdict).toMatch(/no change is shown to have coincided with the opening of Debt hub/);
    for (const c of report.presentations.comparisons) expect(c.qValue === null || c.qValue >= 0.05).toBe(true);
  });

  it('shows how far it reaches its catchment from its own bundles, and says when there is nothing after it opened', async () => {
    const { area, months, openedOn } = await setUp(() => 40);
    const serviceKey = newKey();
    trustKey(area.db, { publicKeyPem: serviceKey.publicKeyPem });
    const afterMonths = months.filter((m) => m > openedOn.slice(0, 7));
    // The service sees 30 a month from its catchment and 2 a month from each comparison sector.
    const own = rows(['PR1 2', 'PR1 3', 'PR1 4', 'PR1 5'], afterMonths, (s) => (s === 'PR1 2' ? 30 : 2), 5, 500_000);
    const b = await bundleOf({
      org: { id: 'org-hub', name: 'Debt hub' },
      key: serviceKey,
      from: afterMonths[0]!,
      to: afterMonths[afterMonths.length - 1]!,
      sequence: 1,
      rows: { presentations: own, outcomes: [] },
    });
    expect((await importBundleBytes(area, 'hub', b.file, importOptions)).outcome).toBe('accepted');
    const service = addService(area, { name: 'Debt hub', openedOn, sectors: ['PR1 2'], issues: ['MON-PRIORITY-DEBT'], organisationId: 'org-hub' });
    const report = compareService(area, service.id, { quarters: 3, issueLabels: labels });
    // Its own presentations never count as other organisations' (it did not report before it opened).
    expect(report.presentations.organisations).toEqual(['org-a']);
    expect(report.reach!.ratio!).toBeGreaterThan(5);
    expect(report.reach!.lower!).toBeGreaterThan(1);
    expect(report.reach!.verdict).toMatch(/^Debt hub recorded \d+ presentations from its catchment and \d+ from the comparison sectors/);
    expect(report.reach!.verdict).toMatch(/It reaches its catchment more than elsewhere\.$/);

    const future = addService(area, { name: 'Later', openedOn: `${months[26]}-01`, sectors: ['PR1 2'], issues: ['HOU-ARREARS'] });
    expect(compareService(area, future.id).note).toMatch(/no data yet for a whole quarter after/);
    deleteService(area, future.id);
    expect(() => deleteService(area, future.id)).toThrow(/There is no service/);
  });
});
