/**
 * What each report call reads from the case database, by call name: the same functions run in
 * the calling thread or in a report-reading worker thread (./read-pool.ts), so both give the same
 * figures. Each only reads; the filter has been checked against the taxonomy before it gets here,
 * and anything that needs more than the database (reference data's residents, framework outcomes)
 * is added by the handler afterwards (src-main/ipc/handlers/reports.ts).
 */
import type { ReportFilter } from '../../core/reports.ts';
import type { Taxonomy } from '../../core/taxonomy.ts';
import { decileEditions, derivedPlacements } from '../geo/clients.ts';
import type { CaseDb, SqliteDatabase } from '../open.ts';
import { decileReport } from './deciles.ts';
import { filterOptions } from './filter-options.ts';
import { impactReport } from './impact.ts';
import { needReport } from './need.ts';
import { referralReport } from './referrals.ts';
import { trendReport } from './trend.ts';
import { whereReport } from './where.ts';

/** A connection to read: the raw SQLite handle and its drizzle wrapper. */
export interface ReportConnection {
  sqlite: SqliteDatabase;
  db: CaseDb;
}

interface Filtered {
  filter: ReportFilter;
}

export const reportReads = {
  need: (c: ReportConnection, taxonomy: Taxonomy, input: Filtered) => needReport(c.sqlite, taxonomy, input.filter),
  trend: (c: ReportConnection, taxonomy: Taxonomy, input: Filtered) => trendReport(c.sqlite, taxonomy, input.filter),
  where: (c: ReportConnection, taxonomy: Taxonomy, input: Filtered) => whereReport(c.sqlite, taxonomy, input.filter),
  deciles: (c: ReportConnection, taxonomy: Taxonomy, input: Filtered) => ({
    ...decileReport(c.sqlite, taxonomy, input.filter),
    editions: decileEditions(c.db),
    derivedPlacements: derivedPlacements(c.db),
  }),
  impact: (c: ReportConnection, taxonomy: Taxonomy, input: Filtered & { openOlderThanDays: number }) =>
    impactReport(c.sqlite, taxonomy, input.filter, input.openOlderThanDays),
  referrals: (c: ReportConnection, taxonomy: Taxonomy, input: Filtered) => referralReport(c.sqlite, taxonomy, input.filter),
  filterOptions: (c: ReportConnection, _taxonomy: Taxonomy, _input: Record<string, never>) => filterOptions(c.sqlite),
};

export type ReportReadName = keyof typeof reportReads;
export type ReportReadInput<N extends ReportReadName> = Parameters<(typeof reportReads)[N]>[2];
export type ReportReadOutput<N extends ReportReadName> = ReturnType<(typeof reportReads)[N]>;

export function isReportReadName(name: unknown): name is ReportReadName {
  return typeof name === 'string' && Object.hasOwn(reportReads, name);
}

/** Runs a read in this thread. */
export function readReportHere<N extends ReportReadName>(c: ReportConnection, taxonomy: Taxonomy, name: N, input: ReportReadInput<N>): ReportReadOutput<N> {
  const read = reportReads[name] as (c: ReportConnection, taxonomy: Taxonomy, input: unknown) => ReportReadOutput<N>;
  return read(c, taxonomy, input);
}
