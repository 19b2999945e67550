/**
 * The reports' summary tables stay exact on every write: after each kind of write through the
 * contract (new contact, status change, resolution and reopening, a new referral destination, a
 * client moving sector, erasure), each summary equals a full recomputation from the base tables, and
 * the reports (which read the summaries for whole-month periods) equal plain JavaScript counts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src-main/app-context.ts';
import { generateDemoClients } from '../../src-main/core/demo.ts';
import { parsePostcode } from '../../src-main/core/postcode.ts';
import { NO_PLACE_DETAILS as NO_DETAILS } from '../../src-main/core/geography.ts';
import { UNKNOWN_SECTOR, monthOf, type ReportFilter } from '../../src-main/core/reports.ts';
import { writeDemoClients } from '../../src-main/db/demo.ts';
import { fillQuery } from '../../src-main/db/sql/sql-source.ts';
import type { AppContext } from '../../src-main/ipc/handlers.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { aClient, callOk, loginTestAdmin } from '../helpers.ts';

const POSTCODES = [
  { postcode: 'PR1 2AB', imdDecile: 1 },
  { postcode: 'PR1 3EF', imdDecile: 2 },
  { postcode: 'PR2 4GH', imdDecile: 5 },
  { postcode: 'PR3 6LM', imdDecile: null },
];
let ctx: AppContext;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'needmap-summaries-'));
afterAll(() => {
  ctx.caseDb.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => {
  ctx = createAppContext({ dbFile: path.join(dir, 'case.db'), paths: defaultAppPaths(), host: 'browser' });
  loginTestAdmin(ctx);
  const decileOf = new Map(POSTCODES.map((p) => [p.postcode, p.imdDecile]));
  const demo = { endMonth: '2026-06', issues: ctx.taxonomy.issues, postcodes: POSTCODES, remitCategories: ['money-debt', 'benefits', 'housing'] };
  writeDemoClients(ctx.caseDb, generateDemoClients({ ...demo, seed: 11, clients: 150, issuesPerClient: 7 }), (postcode) => {
    const parsed = postcode ? parsePostcode(postcode) : null;
    const decile = postcode ? (decileOf.get(postcode) ?? null) : null;
    return {
      postcodeSector: parsed?.ok ? parsed.sector : null,
      postcodeDistrict: parsed?.ok ? parsed.district : null,
      lsoa: null,
      imdDecile: decile,
      imdRank: null,
      imdEdition: null,
      geoReason: null,
      ...NO_DETAILS,
    };
  });
});

type Row = Record<string, any>;
const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r.map((v) => (v === null ? null : String(v))))).sort();

/** Every summary against its recomputation from scratch (the fills in src-main/db/sql/). */
function expectSummariesExact(): void {
  const s = ctx.caseDb.sqlite;
  const factColumns = s.prepare("SELECT name FROM pragma_table_info('report_issue_facts')").pluck().all() as string[];
  const factsFresh = s.prepare(fillQuery('report_issue_facts')).raw().all() as unknown[][];
  const facts = s
    .prepare(`SELECT ${factColumns.join(', ')} FROM report_issue_facts`)
    .raw()
    .all() as unknown[][];
  expect(sorted(facts)).toEqual(sorted(factsFresh));

  const monthsFresh = s
    .prepare(`SELECT * FROM (${fillQuery('report_month_counts')})`)
    .raw()
    .all() as unknown[][];
  const months = s.prepare('SELECT kind, scope, key1, key2, month, prev_month, n FROM report_month_counts WHERE n <> 0').raw().all() as unknown[][];
  expect(sorted(months)).toEqual(sorted(monthsFresh));

  const referralColumns = s.prepare("SELECT name FROM pragma_table_info('report_referral_facts')").pluck().all() as string[];
  const referralsFresh = s
    .prepare(`SELECT * FROM (${fillQuery('report_referral_facts')})`)
    .raw()
    .all() as unknown[][];
  const referrals = s
    .prepare(`SELECT ${referralColumns.join(', ')} FROM report_referral_facts`)
    .raw()
    .all() as unknown[][];
  expect(referrals.length).toBeGreaterThan(0);
  expect(sorted(referrals)).toEqual(sorted(referralsFresh));
}

const YEAR: ReportFilter = { from: '2025-07-01', to: '2026-06-30', category: null, issueCode: null, remit: 'all', sector: null };

/** The whole-month reports (summary paths) against plain counts over the base tables. */
async function expectReportsExact(filter: ReportFilter): Promise<void> {
  const s = ctx.caseDb.sqlite;
  const issues = s
    .prepare(
      'SELECT ci.id, ci.client_id, ci.issue_code, ci.within_remit, ci.referred_to, ci.identified_on, c.postcode_sector, c.imd_decile FROM client_issues ci JOIN clients c ON c.id = ci.client_id',
    )
    .all() as Row[];
  const categoryOf = new Map(ctx.taxonomy.issues.map((i) => [i.code, i.category]));
  const matches = (i: Row) =>
    (filter.category === null || categoryOf.get(i.issue_code) === filter.category) &&
    (filter.remit === 'all' || i.within_remit === 1) &&
    (filter.sector === null || (i.postcode_sector ?? UNKNOWN_SECTOR) === filter.sector);
  const kept = issues.filter((i) => matches(i) && i.identified_on >= filter.from && i.identified_on <= filter.to);
  const people = (rows: Row[]) => new Set(rows.map((i) => i.client_id)).size;

  const need = await callOk(ctx, 'reports.need', { filter });
  expect(need.totals).toEqual({ people: people(kept), presentations: kept.length });
  for (const row of need.topIssues) {
    const mine = kept.filter((i) => i.issue_code === row.issueCode);
    expect([row.people, row.presentations]).toEqual([people(mine), mine.length]);
  }
  for (const row of need.categories) {
    const mine = kept.filter((i) => categoryOf.get(i.issue_code) === row.category);
    expect([row.people, row.presentations]).toEqual([people(mine), mine.length]);
  }

  const where = await callOk(ctx, 'reports.where', { filter });
  for (const row of where.sectors) {
    const mine = kept.filter((i) => (i.postcode_sector ?? UNKNOWN_SECTOR) === row.sector);
    expect([row.sector, row.people, row.presentations]).toEqual([row.sector, people(mine), mine.length]);
  }

  const deciles = await callOk(ctx, 'reports.deciles', { filter });
  for (const row of deciles.deciles) expect(row.people).toBe(people(kept.filter((i) => i.imd_decile === row.decile)));

  const trend = await callOk(ctx, 'reports.trend', { filter });
  for (const point of trend.points) {
    const mine = issues.filter((i) => matches(i) && monthOf(i.identified_on) === point.month);
    expect([point.month, point.people, point.presentations]).toEqual([point.month, people(mine), mine.length]);
  }

  const referredIds = new Set(
    s
      .prepare("SELECT client_issue_id FROM issue_status_events WHERE status = 'referred' AND changed_on BETWEEN ? AND ?")
      .pluck()
      .all(filter.from, filter.to) as number[],
  );
  const referred = issues.filter((i) => matches(i) && referredIds.has(i.id));
  const referrals = await callOk(ctx, 'reports.referrals', { filter });
  expect([referrals.total, referrals.people]).toEqual([referred.length, people(referred)]);
  for (const d of referrals.destinations) {
    const mine = referred.filter((i) => (i.referred_to ?? 'Destination not recorded') === d.destination);
    expect([d.destination, d.referrals, d.people]).toEqual([d.destination, mine.length, people(mine)]);
  }
}

async function expectExact(): Promise<void> {
  expectSummariesExact();
  for (const filter of [YEAR, { ...YEAR, remit: 'within' as const }, { ...YEAR, category: 'housing' }, { ...YEAR, sector: UNKNOWN_SECTOR }]) {
    await expectReportsExact(filter);
  }
}

describe('summary tables after each kind of write', () => {
  let clientId: number;
  let issueIds: number[];

  it('as built from the demo caseload', async () => {
    await expectExact();
  });

  it('a new client and contacts (a presentation before earlier ones, the same issue twice, a referral)', async () => {
    const created = await callOk(ctx, 'clients.create', { client: { ...aClient, postcode: null }, confirmedNotDuplicate: true });
    if (created.kind !== 'created') throw new Error('not created');
    clientId = created.id;
    const later = await callOk(ctx, 'contacts.record', {
      clientId,
      contactDate: '2026-03-10',
      kind: 'appointment',
      staffName: 'Sam Reid',
      issues: [
        { issueCode: 'HOU-ARREARS', withinRemit: true, referredTo: null },
        { issueCode: 'MEN-ANXIETY-DEPRESSION', withinRemit: false, referredTo: 'GP surgery' },
      ],
    });
    // Recorded afterwards but dated earlier: later rows' previous dates change.
    const earlier = await callOk(ctx, 'contacts.record', {
      clientId,
      contactDate: '2025-09-02',
      kind: 'phone_call',
      staffName: 'Sam Reid',
      issues: [{ issueCode: 'HOU-ARREARS', withinRemit: true, referredTo: null }],
    });
    issueIds = [...later.clientIssueIds, ...earlier.clientIssueIds];
    await expectExact();
  });

  it('status changes: resolved, then reopened', async () => {
    await callOk(ctx, 'issues.changeStatus', { clientIssueId: issueIds[0]!, status: 'resolved', changedOn: '2026-04-01' });
    await callOk(ctx, 'issues.changeStatus', { clientIssueId: issueIds[0]!, status: 'in_progress', changedOn: '2026-05-01' });
    await expectExact();
  });

  it('a referral to a new destination (the issue counts under its latest destination)', async () => {
    await callOk(ctx, 'issues.changeStatus', { clientIssueId: issueIds[2]!, status: 'referred', changedOn: '2025-10-01', referredTo: 'Shelter' });
    await callOk(ctx, 'issues.changeStatus', { clientIssueId: issueIds[1]!, status: 'in_progress', changedOn: '2026-03-20' });
    await callOk(ctx, 'issues.changeStatus', { clientIssueId: issueIds[1]!, status: 'referred', changedOn: '2026-04-02', referredTo: 'Mind' });
    await expectExact();
  });

  it('the client moving to a known sector', async () => {
    await callOk(ctx, 'clients.update', { id: clientId, client: { ...aClient, postcode: 'PR9 9ZZ' } });
    await expectExact();
    const where = await callOk(ctx, 'reports.where', { filter: YEAR });
    expect(where.sectors.find((r) => r.sector === 'PR9 9')).toMatchObject({ people: 1, presentations: 3 });
  });

  it('erasing a client', async () => {
    const demoClient = ctx.caseDb.sqlite
      .prepare('SELECT client_id FROM client_issues GROUP BY client_id ORDER BY COUNT(*) DESC LIMIT 1')
      .pluck()
      .get() as number;
    await callOk(ctx, 'protect.eraseClient', { clientId: demoClient });
    await callOk(ctx, 'protect.eraseClient', { clientId });
    await expectExact();
  });
});
