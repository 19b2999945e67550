/** The reports' handlers: check the filter's codes against the taxonomy, then run the query (in a worker thread where there is one). */
import { needByFramework } from '../../core/framework-need.ts';
import type { ReportFilter } from '../../core/reports.ts';
import { loadOutcomes } from '../../framework-outcomes.ts';
import { RecordError } from '../../core/errors.ts';
import { isLocked } from '../../db/locked.ts';
import { readReportHere, type ReportReadInput, type ReportReadName, type ReportReadOutput } from '../../db/reports/reads.ts';
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

/**
 * A report's database reads (db/reports/reads.ts): in a worker thread with its own read-only
 * connection when this process has a pool (db/reports/read-pool.ts), so saves do not wait behind
 * reports; else here. Permissions, the input, the filter and the audit line stay in this thread.
 */
function read<N extends ReportReadName>(ctx: AppContext, name: N, input: ReportReadInput<N>): Promise<ReportReadOutput<N>> | ReportReadOutput<N> {
  if (ctx.reportReaders && !isLocked(ctx.caseDb)) return ctx.reportReaders.read(name, input, { caseDb: ctx.caseDb, key: ctx.caseDbKey?.() ?? null });
  return readReportHere(ctx.caseDb, ctx.taxonomy, name, input);
}

export const reportsHandlers: HandlersFor<typeof reportsCalls> = {
  'reports.need': (input, ctx) => read(ctx, 'need', { filter: checkedFilter(ctx, input.filter) }),
  'reports.trend': (input, ctx) => read(ctx, 'trend', { filter: checkedFilter(ctx, input.filter) }),
  'reports.where': async (input, ctx) => {
    const report = await read(ctx, 'where', { filter: checkedFilter(ctx, input.filter) });
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
  'reports.deciles': (input, ctx) => read(ctx, 'deciles', { filter: checkedFilter(ctx, input.filter) }),
  'reports.impact': (input, ctx) => read(ctx, 'impact', { filter: checkedFilter(ctx, input.filter), openOlderThanDays: input.openOlderThanDays }),
  'reports.referrals': (input, ctx) => read(ctx, 'referrals', { filter: checkedFilter(ctx, input.filter) }),
  'reports.frameworks': async (input, ctx) => {
    const need = await read(ctx, 'need', { filter: checkedFilter(ctx, input.filter) });
    return needByFramework(need.topIssues, ctx.taxonomy, loadOutcomes(ctx.paths));
  },
  'reports.filterOptions': (_input, ctx) => read(ctx, 'filterOptions', {}),
};
