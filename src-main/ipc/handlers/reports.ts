/** The reports' handlers: check the filter's codes against the taxonomy, then run the query. */
import { needByFramework } from '../../core/framework-need.ts';
import type { ReportFilter } from '../../core/reports.ts';
import { loadOutcomes } from '../../framework-outcomes.ts';
import { RecordError } from '../../core/errors.ts';
import { decileReport } from '../../db/reports/deciles.ts';
import { filterOptions } from '../../db/reports/filter-options.ts';
import { impactReport } from '../../db/reports/impact.ts';
import { needReport } from '../../db/reports/need.ts';
import { referralReport } from '../../db/reports/referrals.ts';
import { trendReport } from '../../db/reports/trend.ts';
import { whereReport } from '../../db/reports/where.ts';
import { decileEditions, derivedPlacements } from '../../db/geo/clients.ts';
import type { reportsCalls } from '../contract/reports.ts';
import type { AppContext, HandlersFor } from '../context.ts';
import { sectorPopulation } from './geo.ts';

/** Unknown category or issue codes are refused with a message by the field, not silently matched to nothing. */
function checkedFilter(ctx: AppContext, filter: ReportFilter): ReportFilter {
  const fieldErrors: Record<string, string[]> = {};
  if (filter.category !== null && !ctx.taxonomy.categories.some((c) => c.code === filter.category)) {
    fieldErrors['filter.category'] = [`${filter.category} is not a category in the issue taxonomy.`];
  }
  const issue = filter.issueCode === null ? undefined : ctx.taxonomy.issues.find((i) => i.code === filter.issueCode);
  if (filter.issueCode !== null && !issue) {
    fieldErrors['filter.issueCode'] = [`${filter.issueCode} is not in the issue taxonomy.`];
  } else if (issue && filter.category !== null && issue.category !== filter.category) {
    fieldErrors['filter.issueCode'] = [`${issue.name} is not in the chosen category.`];
  }
  const messages = Object.values(fieldErrors);
  if (messages.length) throw new RecordError('invalid_input', messages.length === 1 ? messages[0]![0]! : 'Please correct the filters.', fieldErrors);
  return filter;
}

export const reportsHandlers: HandlersFor<typeof reportsCalls> = {
  'reports.need': (input, ctx) => needReport(ctx.caseDb.sqlite, ctx.taxonomy, checkedFilter(ctx, input.filter)),
  'reports.trend': (input, ctx) => trendReport(ctx.caseDb.sqlite, ctx.taxonomy, checkedFilter(ctx, input.filter)),
  'reports.where': (input, ctx) => {
    const report = whereReport(ctx.caseDb.sqlite, ctx.taxonomy, checkedFilter(ctx, input.filter));
    // Residents beside the counts, for rates per 1,000 (the reference data's apportioned estimates).
    const population = sectorPopulation(
      ctx,
      report.sectors.filter((s) => s.known).map((s) => s.sector),
    );
    const residents = new Map(population.sectors.map((s) => [s.sector, s.residents]));
    return {
      ...report,
      sectors: report.sectors.map((s) => ({ ...s, residents: s.known ? (residents.get(s.sector) ?? null) : null })),
      population: { year: population.year, basis: population.basis },
    };
  },
  'reports.deciles': (input, ctx) => ({
    ...decileReport(ctx.caseDb.sqlite, ctx.taxonomy, checkedFilter(ctx, input.filter)),
    editions: decileEditions(ctx.caseDb.db),
    derivedPlacements: derivedPlacements(ctx.caseDb.db),
  }),
  'reports.impact': (input, ctx) => impactReport(ctx.caseDb.sqlite, ctx.taxonomy, checkedFilter(ctx, input.filter), input.openOlderThanDays),
  'reports.referrals': (input, ctx) => referralReport(ctx.caseDb.sqlite, ctx.taxonomy, checkedFilter(ctx, input.filter)),
  'reports.frameworks': (input, ctx) => {
    const need = needReport(ctx.caseDb.sqlite, ctx.taxonomy, checkedFilter(ctx, input.filter));
    return needByFramework(need.topIssues, ctx.taxonomy, loadOutcomes(ctx.paths));
  },
  'reports.filterOptions': (_input, ctx) => filterOptions(ctx.caseDb.sqlite),
};
