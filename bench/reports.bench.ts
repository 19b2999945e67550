/**
 * Reports: every view on the demo database (targets: < 150 ms each, ≤ 1.3 × a hand-written SQL
 * query over the base tables computing the same figures, timed in the same run through the same
 * better-sqlite3 connection). The two must agree; a mismatch stops the run.
 */
import os from 'node:os';
import { createAppContext } from '../src-main/app-context.ts';
import type { ReportFilter } from '../src-main/core/reports.ts';
import { decileReport } from '../src-main/db/reports/deciles.ts';
import { impactReport } from '../src-main/db/reports/impact.ts';
import { needReport } from '../src-main/db/reports/need.ts';
import { referralReport } from '../src-main/db/reports/referrals.ts';
import { trendReport } from '../src-main/db/reports/trend.ts';
import { whereReport } from '../src-main/db/reports/where.ts';
import { defaultAppPaths } from '../src-main/paths.ts';
import { benchDatabase, timeMedian } from './demo-db.ts';
import type { BenchContext } from './run.ts';

/**
 * Median CPU time of this process over `runs` calls (after a warm-up): on a shared, loaded machine
 * wall time includes waiting for a CPU, so this shows what the query itself costs.
 */
function cpuMedian(fn: () => unknown, runs = 5): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage();
    fn();
    const used = process.cpuUsage(before);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const YEAR: ReportFilter = { from: '2025-11-01', to: '2026-10-31', category: null, issueCode: null, remit: 'all', sector: null };

export async function run(bench: BenchContext): Promise<void> {
  const ctx = createAppContext({ dbFile: benchDatabase(bench), paths: defaultAppPaths(), host: 'browser' });
  const { sqlite } = ctx.caseDb;
  const tax = ctx.taxonomy;
  const count = (sql: string) => sqlite.prepare(sql).pluck().get() as number;
  console.log(
    `database: ${count('SELECT COUNT(*) FROM clients')} clients, ${count('SELECT COUNT(*) FROM client_issues')} issue records, ` +
      `${count('SELECT COUNT(*) FROM issue_status_events')} status events; period ${YEAR.from}..${YEAR.to}; ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${os.cpus().length} CPUs\n`,
  );
  const all = (sql: string, params: unknown[] = []) => sqlite.prepare(sql).all(...params) as Record<string, number | string | null>[];
  const p = [YEAR.from, YEAR.to];
  const sumOf = (rows: Record<string, unknown>[], key: string) => rows.reduce((s, r) => s + Number(r[key]), 0);

  // Each case: the report, the baseline, and one figure both must give.
  const cases: { view: string; report: () => number; baseline: () => number }[] = [
    {
      view: 'need (top issues, categories)',
      report: () => needReport(sqlite, tax, YEAR).categories.reduce((s, c) => s + c.people, 0),
      baseline: () => {
        all('SELECT issue_code, COUNT(DISTINCT client_id) people, COUNT(*) n FROM client_issues WHERE identified_on BETWEEN ? AND ? GROUP BY 1', p);
        return sumOf(
          all('SELECT substr(issue_code,1,3) k, COUNT(DISTINCT client_id) people FROM client_issues WHERE identified_on BETWEEN ? AND ? GROUP BY 1', p),
          'people',
        );
      },
    },
    {
      // Not whole months: counted from report_issue_facts by day (the monthly summary cannot split a month).
      view: 'need, part-month period (facts by day)',
      report: () => needReport(sqlite, tax, { ...YEAR, from: '2025-11-02' }).categories.reduce((s, c) => s + c.people, 0),
      baseline: () => {
        all('SELECT issue_code, COUNT(DISTINCT client_id) people, COUNT(*) n FROM client_issues WHERE identified_on BETWEEN ? AND ? GROUP BY 1', [
          '2025-11-02',
          YEAR.to,
        ]);
        return sumOf(
          all('SELECT substr(issue_code,1,3) k, COUNT(DISTINCT client_id) people FROM client_issues WHERE identified_on BETWEEN ? AND ? GROUP BY 1', [
            '2025-11-02',
            YEAR.to,
          ]),
          'people',
        );
      },
    },
    {
      // From a 1st to mid-month: whole months from the monthly summary plus the last part-month from the facts.
      view: 'need, period ending mid-month (2026-10-15)',
      report: () => needReport(sqlite, tax, { ...YEAR, to: '2026-10-15' }).categories.reduce((s, c) => s + c.people, 0),
      baseline: () => {
        all('SELECT issue_code, COUNT(DISTINCT client_id) people, COUNT(*) n FROM client_issues WHERE identified_on BETWEEN ? AND ? GROUP BY 1', [
          YEAR.from,
          '2026-10-15',
        ]);
        return sumOf(
          all('SELECT substr(issue_code,1,3) k, COUNT(DISTINCT client_id) people FROM client_issues WHERE identified_on BETWEEN ? AND ? GROUP BY 1', [
            YEAR.from,
            '2026-10-15',
          ]),
          'people',
        );
      },
    },
    {
      view: 'need, one category (housing)',
      report: () => needReport(sqlite, tax, { ...YEAR, category: 'housing' }).totals.people,
      baseline: () => {
        all(
          "SELECT issue_code, COUNT(DISTINCT client_id), COUNT(*) FROM client_issues WHERE identified_on BETWEEN ? AND ? AND issue_code LIKE 'HOU-%' GROUP BY 1",
          p,
        );
        return count(
          `SELECT COUNT(DISTINCT client_id) FROM client_issues WHERE identified_on BETWEEN '${YEAR.from}' AND '${YEAR.to}' AND issue_code LIKE 'HOU-%'`,
        );
      },
    },
    {
      view: 'trend, 24 months + previous year',
      report: () => trendReport(sqlite, tax, { ...YEAR, from: '2024-11-01' }).points.reduce((s, x) => s + x.people + x.previousYearPeople, 0),
      baseline: () =>
        sumOf(
          all(
            "SELECT substr(identified_on,1,7) m, COUNT(DISTINCT client_id) people, COUNT(*) FROM client_issues WHERE identified_on BETWEEN '2023-11-01' AND ? GROUP BY 1",
            [YEAR.to],
          ),
          'people',
        ) +
        sumOf(
          all(
            "SELECT substr(identified_on,1,7) m, COUNT(DISTINCT client_id) people FROM client_issues WHERE identified_on BETWEEN '2024-11-01' AND '2025-10-31' GROUP BY 1",
          ),
          'people',
        ),
    },
    {
      view: 'trend, one issue',
      report: () => trendReport(sqlite, tax, { ...YEAR, from: '2024-11-01', issueCode: 'HOU-HOMELESS' }).points.reduce((s, x) => s + x.people, 0),
      baseline: () =>
        sumOf(
          all(
            "SELECT substr(identified_on,1,7) m, COUNT(DISTINCT client_id) people, COUNT(*) FROM client_issues WHERE issue_code = 'HOU-HOMELESS' AND identified_on BETWEEN '2023-11-01' AND ? GROUP BY 1 HAVING m >= '2024-11'",
            [YEAR.to],
          ),
          'people',
        ),
    },
    {
      view: 'where (sector × category)',
      report: () => whereReport(sqlite, tax, YEAR).totals.people,
      baseline: () => {
        all(
          'SELECT c.postcode_sector, substr(ci.issue_code,1,3), COUNT(DISTINCT ci.client_id), COUNT(*) FROM client_issues ci JOIN clients c ON c.id = ci.client_id WHERE ci.identified_on BETWEEN ? AND ? GROUP BY 1, 2',
          p,
        );
        return sumOf(
          all(
            'SELECT c.postcode_sector, COUNT(DISTINCT ci.client_id) people FROM client_issues ci JOIN clients c ON c.id = ci.client_id WHERE ci.identified_on BETWEEN ? AND ? GROUP BY 1',
            p,
          ),
          'people',
        );
      },
    },
    {
      view: 'deciles',
      report: () => decileReport(sqlite, tax, YEAR).totals.people,
      baseline: () =>
        sumOf(
          all(
            'SELECT c.imd_decile, COUNT(DISTINCT ci.client_id) people, COUNT(*) FROM client_issues ci JOIN clients c ON c.id = ci.client_id WHERE ci.identified_on BETWEEN ? AND ? GROUP BY 1',
            p,
          ),
          'people',
        ),
    },
    {
      view: 'impact (within remit)',
      report: () => impactReport(sqlite, tax, YEAR, 90).openAtEnd,
      baseline: () => {
        const rows = all(
          `SELECT ci.identified_on >= ? AS cohort, ci.identified_on AS day,
                  (SELECT e.status FROM issue_status_events e WHERE e.client_issue_id = ci.id AND e.changed_on <= ? ORDER BY e.changed_on DESC, e.id DESC LIMIT 1) AS status,
                  (SELECT MIN(e.changed_on) FROM issue_status_events e WHERE e.client_issue_id = ci.id AND +e.status = 'resolved' AND e.changed_on <= ?) AS resolved
           FROM client_issues ci WHERE ci.within_remit = 1 AND ci.identified_on <= ?`,
          [YEAR.from, YEAR.to, YEAR.to, YEAR.to],
        );
        return rows.filter((r) => r.status !== 'resolved' && r.status !== 'closed_unresolved').length;
      },
    },
    {
      // An end six months back: ~25k issues changed status since, each needing its status then from the events.
      view: 'impact, period ending 2026-04-30',
      report: () => impactReport(sqlite, tax, { ...YEAR, from: '2025-05-01', to: '2026-04-30' }, 90).openAtEnd,
      baseline: () => {
        const rows = all(
          `SELECT (SELECT e.status FROM issue_status_events e WHERE e.client_issue_id = ci.id AND e.changed_on <= ? ORDER BY e.changed_on DESC, e.id DESC LIMIT 1) AS status
           FROM client_issues ci WHERE ci.within_remit = 1 AND ci.identified_on <= ?`,
          ['2026-04-30', '2026-04-30'],
        );
        return rows.filter((r) => r.status !== 'resolved' && r.status !== 'closed_unresolved').length;
      },
    },
    {
      view: 'referrals by destination',
      report: () => referralReport(sqlite, tax, YEAR).total,
      baseline: () =>
        sumOf(
          all(
            "SELECT ci.referred_to, COUNT(*) n, COUNT(DISTINCT ci.client_id) FROM client_issues ci WHERE ci.id IN (SELECT client_issue_id FROM issue_status_events WHERE status = 'referred' AND changed_on BETWEEN ? AND ?) GROUP BY 1",
            p,
          ),
          'n',
        ),
    },
  ];

  const rows: string[] = ['| view | report ms | baseline ms | ratio | < 150 ms | ratio ≤ 1.3 | report CPU ms |', '|---|---:|---:|---:|:-:|:-:|---:|'];
  for (const c of cases) {
    const mine = c.report();
    const theirs = c.baseline();
    if (mine !== theirs) throw new Error(`${c.view}: the report gives ${mine} but the baseline ${theirs}`);
    const reportMs = timeMedian(c.report, 5);
    const baselineMs = timeMedian(c.baseline, 5);
    const ratio = reportMs / baselineMs;
    const cpuMs = cpuMedian(c.report, 5);
    rows.push(
      `| ${c.view} | ${reportMs.toFixed(1)} | ${baselineMs.toFixed(1)} | ${ratio.toFixed(2)} | ${reportMs < 150 ? 'yes' : 'NO'} | ${ratio <= 1.3 ? 'yes' : 'NO'} | ${cpuMs.toFixed(1)} |`,
    );
  }
  console.log(rows.join('\n'));
  ctx.caseDb.close();
}
