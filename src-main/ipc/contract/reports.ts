/**
 * The reports' part of the contract: local need, where it comes from, and impact. Every view
 * takes the same filter; figures are defined in docs/reports.md.
 */
import { z } from 'zod';
import { isoDate, isoMonth } from '../../core/records/fields.ts';
import { UNKNOWN_SECTOR } from '../../core/reports.ts';

export const ReportFilterInput = z
  .object({
    from: isoDate,
    to: isoDate,
    category: z.string().trim().min(1, { message: 'Choose a category, or none for all.' }).nullable().default(null),
    issueCode: z.string().trim().min(1, { message: 'Choose an issue, or none for all.' }).nullable().default(null),
    remit: z.enum(['all', 'within'], { message: 'Choose all issues or only those within remit.' }).default('all'),
    sector: z
      .string()
      .trim()
      .min(1, { message: 'Choose a postcode sector, or none for everywhere.' })
      .max(8, { message: `A postcode sector looks like "PR1 2" (or "${UNKNOWN_SECTOR}").` })
      .nullable()
      .default(null),
  })
  .superRefine((f, ctx) => {
    if (f.from > f.to) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: `The start date (${f.from}) is after the end date (${f.to}).` });
    }
  });
export type ReportFilterInput = z.input<typeof ReportFilterInput>;

const FilterOut = z.object({
  from: z.string(),
  to: z.string(),
  category: z.string().nullable(),
  issueCode: z.string().nullable(),
  remit: z.enum(['all', 'within']),
  sector: z.string().nullable(),
});
const count = z.number().int().min(0);
const ratio = z.number().min(0).max(1).nullable();
const CountPair = z.object({ people: count, presentations: count });

export const NeedReportOut = z.object({
  filter: FilterOut,
  totals: CountPair,
  topIssues: z.array(CountPair.extend({ issueCode: z.string(), issueName: z.string(), category: z.string() })),
  categories: z.array(CountPair.extend({ category: z.string(), categoryName: z.string() })),
});

export const TrendReportOut = z.object({
  filter: FilterOut,
  points: z.array(
    z.object({
      month: z.string(),
      presentations: count,
      people: count,
      previousYearMonth: z.string(),
      previousYearPresentations: count,
      previousYearPeople: count,
    }),
  ),
});

export const WhereReportOut = z.object({
  filter: FilterOut,
  totals: CountPair,
  sectors: z.array(
    CountPair.extend({
      sector: z.string(),
      known: z.boolean(),
      byCategory: z.record(z.string(), CountPair),
      /** Residents of the sector (population.year), for rates per 1,000; null when not known (outside England and Wales, unknown sector). */
      residents: count.nullable(),
    }),
  ),
  categories: z.array(z.object({ code: z.string(), name: z.string() })),
  /** Where the residents come from: "mid-2020" ONS estimates shared among sectors (null year: no population data). */
  population: z.object({ year: z.string().nullable(), basis: z.string() }),
});

export const DecileReportOut = z.object({
  filter: FilterOut,
  totals: CountPair,
  deciles: z.array(CountPair.extend({ decile: z.number().int().min(1).max(10).nullable(), share: ratio, expectedShare: ratio })),
  knownPeople: count,
  mostDeprivedShare: ratio,
  expectedMostDeprivedShare: z.number(),
  /** Which edition of the Indices the stored deciles come from: clients with a decile, per edition (most first). */
  editions: z.array(z.object({ edition: z.string(), clients: count })),
  /** Of those clients, how many have a postcode placed from its centre point (derived) rather than by an official lookup. */
  derivedPlacements: count,
});

export const ImpactReportOut = z.object({
  filter: FilterOut,
  cohort: count,
  resolved: count,
  improved: count,
  closedUnresolved: count,
  resolvedShare: ratio,
  improvedShare: ratio,
  improvedOrResolvedShare: ratio,
  resolvedWithDays: count,
  medianDaysToResolve: z.number().min(0).nullable(),
  openOlderThanDays: count,
  openAtEnd: count,
  openOlderThan: count,
});

export const ReferralReportOut = z.object({
  filter: FilterOut,
  total: count,
  people: count,
  destinations: z.array(z.object({ destination: z.string(), referrals: count, people: count })),
});

/** Need grouped by outcome framework entry (core/framework-need.ts); shared with the area picture. */
export const FrameworkNeedOut = z.object({
  frameworks: z.array(
    z.object({
      framework: z.string(),
      rows: z.array(
        z.object({
          id: z.string(),
          framework: z.string(),
          level: z.string(),
          code: z.string(),
          title: z.string(),
          issues: z.array(z.object({ code: z.string(), presentations: z.number().int().min(0) })),
          presentations: z.number().int().min(0),
          peopleAtLeast: z.number().int().min(0).nullable(),
        }),
      ),
    }),
  ),
  unlinked: z.object({ presentations: z.number().int().min(0), issues: z.array(z.string()) }),
  totalPresentations: z.number().int().min(0),
});

export const reportsCalls = {
  /** Top issues (people and presentations) and issues by category for the period. */
  'reports.need': { input: z.object({ filter: ReportFilterInput }), output: NeedReportOut },
  /** Month by month over the filter's whole months, with the same month a year earlier alongside. */
  'reports.trend': {
    input: z.object({ filter: ReportFilterInput }),
    output: TrendReportOut,
  },
  /** People and presentations by postcode sector, and sector × category; "unknown" always last. */
  'reports.where': { input: z.object({ filter: ReportFilterInput }), output: WhereReportOut },
  /** People by deprivation decile against the even 10% split; unknown explicit. */
  'reports.deciles': { input: z.object({ filter: ReportFilterInput }), output: DecileReportOut },
  /** Outcomes of within-remit issues, median days to resolve, and open issues older than N days. */
  'reports.impact': {
    input: z.object({
      filter: ReportFilterInput,
      openOlderThanDays: z
        .number({ message: 'Enter a number of days.' })
        .int({ message: 'Enter a whole number of days.' })
        .min(1, { message: 'Enter at least 1 day.' })
        .max(3650, { message: 'Enter 3650 days (ten years) at most.' })
        .default(90),
    }),
    output: ImpactReportOut,
  },
  /** Referrals made out in the period, by destination. */
  'reports.referrals': { input: z.object({ filter: ReportFilterInput }), output: ReferralReportOut },
  'reports.frameworks': { input: z.object({ filter: ReportFilterInput }), output: FrameworkNeedOut },
  /** What the filters can offer: sectors seen, whether some clients have none, and the months with data. */
  'reports.filterOptions': {
    input: z.object({}),
    output: z.object({
      sectors: z.array(z.string()),
      hasUnknownSector: z.boolean(),
      firstMonth: isoMonth.nullable(),
      lastMonth: isoMonth.nullable(),
    }),
  },
} as const;
