/**
 * Every report's figures against an independent computation: plain JavaScript over the rows read
 * back from the database (not the summary table, not the report SQL), on a generated caseload
 * plus hand-made edge cases (empty period, unknown postcode, an issue reopened after resolution).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src-main/app-context.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { generateDemoClients } from '../../src-main/core/demo.ts';
import { parsePostcode } from '../../src-main/core/postcode.ts';
import { NO_PLACE_DETAILS as NO_DETAILS } from '../../src-main/core/geography.ts';
import { UNKNOWN_SECTOR, daysBetween, median, monthOf, monthsBetween, previousYearMonth, type ReportFilter } from '../../src-main/core/reports.ts';
import { writeDemoClients } from '../../src-main/db/demo.ts';
import type { AppContext } from '../../src-main/ipc/handlers.ts';
import { aClient, callOk, loginTestAdmin } from '../helpers.ts';
import { dispatch } from '../helpers.ts';
import type { ReferenceData } from '../../src-main/db/geo/reference.ts';

// A small town: sectors with known deciles, one postcode whose neighbourhood is unknown.
const POSTCODES = [
  { postcode: 'PR1 2AB', imdDecile: 1 },
  { postcode: 'PR1 2CD', imdDecile: 2 },
  { postcode: 'PR1 3EF', imdDecile: 1 },
  { postcode: 'PR2 4GH', imdDecile: 5 },
  { postcode: 'PR2 5JK', imdDecile: 9 },
  { postcode: 'PR3 6LM', imdDecile: null },
];
const REMIT = ['money-debt', 'benefits', 'housing', 'employment-skills', 'digital-practical'];

interface Issue {
  id: number;
  clientId: number;
  code: string;
  withinRemit: boolean;
  referredTo: string | null;
  identifiedOn: string;
}
interface Event {
  id: number;
  issueId: number;
  status: string;
  changedOn: string;
}
interface Client {
  id: number;
  sector: string | null;
  decile: number | null;
}

let ctx: AppContext;
let issues: Issue[];
let events: Event[];
let clients: Map<number, Client>;
let categoryOf: Map<string, string>;
let reopenedIssueId: number;
let unknownClientId: number;

type Row = Record<string, any>;

function readBack(): void {
  const s = ctx.caseDb.sqlite;
  issues = (s.prepare('SELECT id, client_id, issue_code, within_remit, referred_to, identified_on FROM client_issues').all() as Row[]).map((r) => ({
    id: r.id,
    clientId: r.client_id,
    code: r.issue_code,
    withinRemit: r.within_remit === 1,
    referredTo: r.referred_to,
    identifiedOn: r.identified_on,
  }));
  events = (s.prepare('SELECT id, client_issue_id, status, changed_on FROM issue_status_events').all() as Row[]).map((r) => ({
    id: r.id,
    issueId: r.client_issue_id,
    status: r.status,
    changedOn: r.changed_on,
  }));
  clients = new Map(
    (s.prepare('SELECT id, postcode_sector, imd_decile FROM clients').all() as Row[]).map((r) => [
      r.id,
      { id: r.id, sector: r.postcode_sector, decile: r.imd_decile },
    ]),
  );
}

// One database for the whole file (the helpers' testContext is closed after every test).
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'needmap-reports-'));
afterAll(() => {
  ctx.caseDb.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  ctx = createAppContext({ dbFile: path.join(dir, 'case.db'), paths: defaultAppPaths(), host: 'browser' });
  loginTestAdmin(ctx); // calls need a session
  categoryOf = new Map(ctx.taxonomy.issues.map((i) => [i.code, i.category]));
  const decileOf = new Map(POSTCODES.map((p) => [p.postcode, p.imdDecile]));
  const demo = { endMonth: '2026-06', issues: ctx.taxonomy.issues, postcodes: POSTCODES, remitCategories: REMIT };
  // A realistic caseload, then frequent returners (many issues each, the same issue presented again
  // at later contacts), as in the benchmark database.
  const clients = [...generateDemoClients({ ...demo, seed: 7, clients: 400 }), ...generateDemoClients({ ...demo, seed: 8, clients: 120, issuesPerClient: 9 })];
  writeDemoClients(ctx.caseDb, clients, (postcode) => {
    const parsed = postcode ? parsePostcode(postcode) : null;
    const decile = postcode ? (decileOf.get(postcode) ?? null) : null;
    return {
      postcodeSector: parsed?.ok ? parsed.sector : null,
      postcodeDistrict: parsed?.ok ? parsed.district : null,
      lsoa: decile === null ? null : 'E01000001',
      imdDecile: decile,
      imdRank: null,
      imdEdition: decile === null ? null : 'IoD2025',
      geoReason: decile === null ? 'unknown in test' : null,
      ...NO_DETAILS,
    };
  });
  // Edge cases through the contract, so the summary table is kept by the triggers on real writes.
  const created = await callOk(ctx, 'clients.create', { client: { ...aClient, postcode: null }, confirmedNotDuplicate: true });
  if (created.kind !== 'created') throw new Error('not created');
  unknownClientId = created.id;
  const contact = await callOk(ctx, 'contacts.record', {
    clientId: unknownClientId,
    contactDate: '2026-01-05',
    kind: 'appointment',
    staffName: 'Sam Reid',
    issues: [
      { issueCode: 'HOU-ARREARS', withinRemit: true, referredTo: null },
      { issueCode: 'MEN-ANXIETY-DEPRESSION', withinRemit: false, referredTo: 'GP surgery' },
    ],
  });
  reopenedIssueId = contact.clientIssueIds[0]!;
  for (const [status, changedOn] of [
    ['in_progress', '2026-01-10'],
    ['resolved', '2026-02-01'],
    ['in_progress', '2026-04-15'],
  ] as const) {
    await callOk(ctx, 'issues.changeStatus', { clientIssueId: reopenedIssueId, status, changedOn });
  }
  // The same client presents with the same issue again later: still one person.
  await callOk(ctx, 'contacts.record', {
    clientId: unknownClientId,
    contactDate: '2026-05-02',
    kind: 'phone_call',
    staffName: 'Sam Reid',
    issues: [{ issueCode: 'HOU-ARREARS', withinRemit: true, referredTo: null }],
  });
  readBack();
});

// ---------------------------------------------------------------------------------------------
// The independent computation

function keep(f: ReportFilter, i: Issue, from = f.from, to = f.to): boolean {
  const c = clients.get(i.clientId)!;
  return (
    i.identifiedOn >= from &&
    i.identifiedOn <= to &&
    (f.issueCode === null || i.code === f.issueCode) &&
    (f.category === null || categoryOf.get(i.code) === f.category) &&
    (f.remit === 'all' || i.withinRemit) &&
    (f.sector === null || (f.sector === UNKNOWN_SECTOR ? c.sector === null : c.sector === f.sector))
  );
}

function countBy(rows: Issue[], key: (i: Issue) => string): Map<string, { people: number; presentations: number }> {
  const groups = new Map<string, Issue[]>();
  for (const i of rows) groups.set(key(i), [...(groups.get(key(i)) ?? []), i]);
  return new Map([...groups].map(([k, g]) => [k, { people: new Set(g.map((i) => i.clientId)).size, presentations: g.length }]));
}

function statusAt(issueId: number, date: string): string {
  const mine = events.filter((e) => e.issueId === issueId && e.changedOn <= date).sort((a, b) => a.changedOn.localeCompare(b.changedOn) || a.id - b.id);
  return mine[mine.length - 1]!.status;
}

const base: ReportFilter = { from: '2025-07-01', to: '2026-06-30', category: null, issueCode: null, remit: 'all', sector: null };
const FILTERS: [string, ReportFilter][] = [
  ['the last year', base],
  ['all 24 months', { ...base, from: '2024-07-01' }],
  ['a part-month period', { ...base, from: '2025-10-17', to: '2026-02-03' }],
  // From a 1st to mid-month: need reads its whole months from the monthly summary and the rest from the facts.
  ['a period ending mid-month', { ...base, from: '2025-07-01', to: '2026-02-17' }],
  ['a category within remit ending mid-month', { ...base, from: '2025-10-01', to: '2026-03-09', category: 'housing', remit: 'within' }],
  ['an issue ending mid-month', { ...base, from: '2025-08-01', to: '2026-01-20', issueCode: 'HOU-ARREARS' }],
  ['a category', { ...base, category: 'housing' }],
  ['an issue', { ...base, issueCode: 'HOU-ARREARS' }],
  ['within remit', { ...base, remit: 'within' }],
  ['a sector', { ...base, sector: 'PR1 2' }],
  ['unknown sector', { ...base, sector: UNKNOWN_SECTOR }],
  ['an empty period', { ...base, from: '2010-01-01', to: '2010-12-31' }],
  ['a category within remit in a sector', { ...base, category: 'housing', remit: 'within', sector: 'PR1 2' }],
  ['an issue within remit', { ...base, issueCode: 'HOU-ARREARS', remit: 'within' }],
  ['a category in the unknown sector', { ...base, category: 'money-debt', sector: UNKNOWN_SECTOR }],
];

describe.each(FILTERS)('reports for %s', (_label, filter) => {
  it('need: top issues, categories and totals', async () => {
    const got = await callOk(ctx, 'reports.need', { filter });
    const kept = issues.filter((i) => keep(filter, i));
    const byCode = countBy(kept, (i) => i.code);
    expect(new Map(got.topIssues.map((r) => [r.issueCode, { people: r.people, presentations: r.presentations }]))).toEqual(byCode);
    const byCategory = countBy(kept, (i) => categoryOf.get(i.code)!);
    expect(new Map(got.categories.map((r) => [r.category, { people: r.people, presentations: r.presentations }]))).toEqual(byCategory);
    expect(got.totals).toEqual({ people: new Set(kept.map((i) => i.clientId)).size, presentations: kept.length });
  });

  it('trend: each month and the same month a year before', async () => {
    const got = await callOk(ctx, 'reports.trend', { filter });
    const months = monthsBetween(monthOf(filter.from), monthOf(filter.to));
    expect(got.points.map((p) => p.month)).toEqual(months);
    const inMonth = (m: string) => issues.filter((i) => keep(filter, i, `${m}-01`, `${m}-31`));
    for (const p of got.points) {
      const now = inMonth(p.month);
      const before = inMonth(previousYearMonth(p.month));
      expect(p).toEqual({
        month: p.month,
        presentations: now.length,
        people: new Set(now.map((i) => i.clientId)).size,
        previousYearMonth: previousYearMonth(p.month),
        previousYearPresentations: before.length,
        previousYearPeople: new Set(before.map((i) => i.clientId)).size,
      });
    }
  });

  it('where: sector rows, sector × category cells, unknown last', async () => {
    const got = await callOk(ctx, 'reports.where', { filter });
    const kept = issues.filter((i) => keep(filter, i));
    const sectorOf = (i: Issue) => clients.get(i.clientId)!.sector ?? UNKNOWN_SECTOR;
    const expected = countBy(kept, sectorOf);
    expected.set(UNKNOWN_SECTOR, expected.get(UNKNOWN_SECTOR) ?? { people: 0, presentations: 0 });
    expect(new Map(got.sectors.map((r) => [r.sector, { people: r.people, presentations: r.presentations }]))).toEqual(expected);
    expect(got.sectors[got.sectors.length - 1]).toMatchObject({ sector: UNKNOWN_SECTOR, known: false });
    const cells = countBy(kept, (i) => `${sectorOf(i)}|${categoryOf.get(i.code)}`);
    const gotCells = new Map(got.sectors.flatMap((r) => Object.entries(r.byCategory).map(([c, v]) => [`${r.sector}|${c}`, v] as const)));
    expect(gotCells).toEqual(cells);
    // Residents beside the counts (for rates per 1,000), from the reference data, with the year stated.
    const reference = ctx.neighbourhoods as ReferenceData;
    expect(got.population.year).toBe('mid-2020');
    for (const r of got.sectors) expect([r.sector, r.residents]).toEqual([r.sector, r.known ? (reference.sectorResidents(r.sector)?.residents ?? null) : null]);
    if (got.sectors.some((r) => r.sector === 'PR1 2')) expect(got.sectors.find((r) => r.sector === 'PR1 2')!.residents).toBeGreaterThan(1000);
  });

  it('deciles: people per decile, shares of the known, the even split and the most deprived 20%', async () => {
    const got = await callOk(ctx, 'reports.deciles', { filter });
    const kept = issues.filter((i) => keep(filter, i));
    const people = (d: number | null) => new Set(kept.filter((i) => clients.get(i.clientId)!.decile === d).map((i) => i.clientId)).size;
    const known = new Set(kept.filter((i) => clients.get(i.clientId)!.decile !== null).map((i) => i.clientId)).size;
    expect(got.knownPeople).toBe(known);
    // Every stored decile here is IoD2025, and the report says so.
    const withDecile = [...clients.values()].filter((c) => c.decile !== null).length;
    expect(got.editions).toEqual([{ edition: 'IoD2025', clients: withDecile }]);
    // Generated clients name no placement; those made through the contract live at Lewisham's official postcodes.
    expect(got.derivedPlacements).toBe(0);
    expect(got.deciles.map((r) => r.decile)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, null]);
    for (const row of got.deciles) {
      expect(row.people).toBe(people(row.decile));
      if (row.decile === null) expect(row.share).toBeNull();
      else {
        expect(row.expectedShare).toBeCloseTo(0.1);
        expect(row.share).toBe(known === 0 ? null : people(row.decile) / known);
      }
    }
    expect(got.mostDeprivedShare).toBe(known === 0 ? null : (people(1) + people(2)) / known);
  });

  it('impact: outcomes at the period end, median days to first resolution, old open issues', async () => {
    const got = await callOk(ctx, 'reports.impact', { filter, openOlderThanDays: 60 });
    const remitFilter = { ...filter, remit: 'within' as const };
    const cohort = issues.filter((i) => keep(remitFilter, i));
    const status = new Map(cohort.map((i) => [i.id, statusAt(i.id, filter.to)]));
    const n = (s: string) => cohort.filter((i) => status.get(i.id) === s).length;
    expect(got.cohort).toBe(cohort.length);
    expect(got.resolved).toBe(n('resolved'));
    expect(got.improved).toBe(n('improved'));
    expect(got.improvedOrResolvedShare).toBe(cohort.length === 0 ? null : (n('resolved') + n('improved')) / cohort.length);
    const days = cohort.flatMap((i) => {
      const first = events
        .filter((e) => e.issueId === i.id && e.status === 'resolved' && e.changedOn <= filter.to)
        .map((e) => e.changedOn)
        .sort()[0];
      return first ? [daysBetween(i.identifiedOn, first)] : [];
    });
    expect(got.resolvedWithDays).toBe(days.length);
    expect(got.medianDaysToResolve).toBe(median(days));
    const backlog = issues.filter((i) => keep(remitFilter, i, '0000-01-01') && !['resolved', 'closed_unresolved'].includes(statusAt(i.id, filter.to)));
    expect(got.openAtEnd).toBe(backlog.length);
    const cutoff = new Date(Date.parse(filter.to) - 60 * 86_400_000).toISOString().slice(0, 10);
    expect(got.openOlderThan).toBe(backlog.filter((i) => i.identifiedOn <= cutoff).length);
  });

  it('referrals: issues referred in the period, by destination', async () => {
    const got = await callOk(ctx, 'reports.referrals', { filter });
    const referredIds = new Set(events.filter((e) => e.status === 'referred' && e.changedOn >= filter.from && e.changedOn <= filter.to).map((e) => e.issueId));
    const referred = issues.filter((i) => referredIds.has(i.id) && keep(filter, i, '0000-01-01', '9999-12-31'));
    const expected = new Map(
      [...countBy(referred, (i) => i.referredTo ?? 'Destination not recorded')].map(([k, v]) => [k, { referrals: v.presentations, people: v.people }]),
    );
    expect(new Map(got.destinations.map((d) => [d.destination, { referrals: d.referrals, people: d.people }]))).toEqual(expected);
    expect(got.total).toBe(referred.length);
    expect(got.people).toBe(new Set(referred.map((i) => i.clientId)).size);
  });
});

describe('edge cases', () => {
  it('the generated caseload is big enough to mean something', () => {
    expect(clients.size).toBeGreaterThan(400);
    expect(issues.length).toBeGreaterThan(500);
    expect(issues.filter((i) => clients.get(i.clientId)!.sector === null).length).toBeGreaterThan(0);
    // Clients presenting the same issue more than once (the "first in the period" logic's hard case).
    const repeats = countBy(issues, (i) => `${i.clientId}|${i.code}`);
    expect([...repeats.values()].filter((r) => r.presentations > 1).length).toBeGreaterThan(50);
  });

  it('an empty period gives zeros and no shares, not errors', async () => {
    const filter = { ...base, from: '2010-01-01', to: '2010-12-31' };
    const impact = await callOk(ctx, 'reports.impact', { filter });
    expect(impact).toMatchObject({ cohort: 0, resolvedShare: null, medianDaysToResolve: null });
    const deciles = await callOk(ctx, 'reports.deciles', { filter });
    expect(deciles.mostDeprivedShare).toBeNull();
    const where = await callOk(ctx, 'reports.where', { filter });
    expect(where.sectors).toEqual([{ sector: UNKNOWN_SECTOR, known: false, people: 0, presentations: 0, byCategory: {}, residents: null }]);
  });

  it('a reopened issue counts as open after reopening, but keeps its first resolution for days to resolve', async () => {
    const filter = { ...base, from: '2026-01-01', sector: UNKNOWN_SECTOR, issueCode: 'HOU-ARREARS' };
    const beforeReopening = await callOk(ctx, 'reports.impact', { filter: { ...filter, to: '2026-03-31' } });
    expect(beforeReopening.resolved).toBeGreaterThanOrEqual(1);
    const afterReopening = await callOk(ctx, 'reports.impact', { filter: { ...filter, to: '2026-06-30' } });
    expect(afterReopening.resolved).toBe(beforeReopening.resolved - 1);
    expect(statusAt(reopenedIssueId, '2026-06-30')).toBe('in_progress');
    expect(afterReopening.resolvedWithDays).toBeGreaterThanOrEqual(1);
  });

  it('moving a client to a known sector moves their issues in the reports (summary kept by triggers)', async () => {
    const filter = { ...base, issueCode: 'HOU-ARREARS' };
    const before = await callOk(ctx, 'reports.where', { filter });
    const unknownBefore = before.sectors.find((r) => r.sector === UNKNOWN_SECTOR)!.people;
    await callOk(ctx, 'clients.update', { id: unknownClientId, client: { ...aClient, postcode: 'PR9 9ZZ' } });
    const after = await callOk(ctx, 'reports.where', { filter });
    expect(after.sectors.find((r) => r.sector === UNKNOWN_SECTOR)!.people).toBe(unknownBefore - 1);
    expect(after.sectors.find((r) => r.sector === 'PR9 9')).toMatchObject({ people: 1, presentations: 2 });
  });

  it('refuses a period that ends before it starts, and unknown codes, with clear messages', async () => {
    const backwards = await dispatch('reports.need', { filter: { from: '2026-02-01', to: '2026-01-01' } }, ctx);
    expect(backwards).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', fieldErrors: { 'filter.from': ['The start date (2026-02-01) is after the end date (2026-01-01).'] } },
    });
    const unknown = await dispatch('reports.need', { filter: { ...base, issueCode: 'HOU-NOPE' } }, ctx);
    expect(unknown).toMatchObject({ ok: false, error: { fieldErrors: { 'filter.issueCode': ['HOU-NOPE is not in the issue taxonomy.'] } } });
    const badDate = await dispatch('reports.trend', { filter: { ...base, to: '2026-02-30' } }, ctx);
    expect(badDate).toMatchObject({ ok: false, error: { fieldErrors: { 'filter.to': ['Enter a date as YYYY-MM-DD.'] } } });
  });

  it('filter options list sectors, unknown, and the months with data', async () => {
    readBack(); // the client moved to PR9 9 above
    const options = await callOk(ctx, 'reports.filterOptions', {});
    expect(options.sectors).toEqual([...new Set([...clients.values()].map((c) => c.sector).filter((s): s is string => s !== null))].sort());
    expect(options.firstMonth).toBe(monthOf(issues.map((i) => i.identifiedOn).sort()[0]!));
  });
});
