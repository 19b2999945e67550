/** The tables' true counts against an independent SQL computation, whatever order the rows come in. */
import { expect, it } from 'vitest';
import { demoPostcodes } from '../../src-main/app-context.ts';
import { DISCLOSURE_POLICIES, type DisclosurePolicy } from '../../src-main/core/bundle/disclosure.ts';
import { monthFromIndex, monthIndex } from '../../src-main/core/bundle/period.ts';
import { tableCells } from '../../src-main/core/bundle/schema.ts';
import { buildTables, type TableUniverse } from '../../src-main/core/bundle/tables.ts';
import { generateDemoClients, lastWholeMonth, seededRandom } from '../../src-main/core/demo.ts';
import { geographyFor } from '../../src-main/core/geography.ts';
import { writeDemoClients } from '../../src-main/db/demo.ts';
import { monthsBetween } from '../../src-main/core/bundle/period.ts';
import { readExportRows, taxonomyCodes } from '../../src-main/db/bundle/export.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { testContext } from '../helpers.ts';

/** Publishes true values (cell key in place of nothing), so the tables can be checked exactly. */
const TRUE_COUNTS: DisclosurePolicy = {
  description: DISCLOSURE_POLICIES['cell-key'].description,
  protect: ({ value }) => value,
};

it('counts distinct people and presentations exactly as SQL does, in any row order', () => {
  const ctx = testContext();
  const end = lastWholeMonth();
  writeDemoClients(
    ctx.caseDb,
    generateDemoClients({
      seed: 21,
      clients: 400,
      endMonth: end,
      issues: ctx.taxonomy.issues,
      postcodes: demoPostcodes(defaultAppPaths(), ctx.neighbourhoods),
      remitCategories: ['housing'],
      issuesPerClient: 4,
    }),
    (postcode) => geographyFor(postcode, ctx.neighbourhoods),
  );
  const from = monthFromIndex(monthIndex(end) - 11);
  const rows = readExportRows(ctx.caseDb, ctx.taxonomy, from, end);

  const expected = ctx.caseDb.sqlite
    .prepare(
      `SELECT coalesce(c.postcode_district, 'unknown') AS district, substr(ci.identified_on, 1, 7) AS month, ci.issue_code AS issue,
              COUNT(DISTINCT ci.client_id) AS people, COUNT(*) AS presentations
       FROM client_issues ci JOIN clients c ON c.id = ci.client_id
       WHERE ci.identified_on >= ? AND ci.identified_on < ? GROUP BY 1, 2, 3`,
    )
    .all(`${from}-01`, `${monthFromIndex(monthIndex(end) + 1)}-01`) as {
    district: string;
    month: string;
    issue: string;
    people: number;
    presentations: number;
  }[];
  expect(rows.presentations.length).toBe(expected.reduce((n, e) => n + e.presentations, 0));

  const universe: TableUniverse = { months: monthsBetween(from, end), ...taxonomyCodes(ctx.taxonomy) };
  const table = buildTables(rows.presentations, rows.outcomes, TRUE_COUNTS, universe).find((t) => t.id === 'district-month-issue')!;
  const cells = [...tableCells(table)];
  // Complete over its universe: every district seen × every month × every issue (and "unknown"), zeros included.
  expect(cells.length).toBe(table.universe[0]!.length * 12 * (ctx.taxonomy.issues.length + 1));
  const actual = cells
    .filter((c) => c.people !== 0 || c.presentations !== 0)
    .map((c) => ({ key: c.key.join('|'), people: c.people as number, presentations: c.presentations as number }));
  const wanted = expected.map((e) => ({ key: [e.district, e.month, e.issue].join('|'), people: e.people, presentations: e.presentations }));
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  expect(actual.sort(byKey)).toEqual(wanted.sort(byKey));
  // Some clients really do present several times in one cell, so distinct people ≠ presentations somewhere.
  expect(expected.some((e) => e.people < e.presentations)).toBe(true);

  // Row order does not matter (the tallies group rows by client themselves), with real noise too.
  const random = seededRandom(3);
  const shuffled = [...rows.presentations];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const outcomesReversed = [...rows.outcomes].reverse();
  for (const policy of [TRUE_COUNTS, DISCLOSURE_POLICIES['cell-key'], DISCLOSURE_POLICIES['nhs-england']]) {
    expect(buildTables(shuffled, outcomesReversed, policy, universe)).toEqual(buildTables(rows.presentations, rows.outcomes, policy, universe));
  }
});
