/**
 * New services: where (catchment sectors), when (opened on) and which issues, and what changed
 * in the catchment against comparison sectors like it — the same difference-in-differences,
 * dispersion and wording as events (db/area/events.ts), on presentations of its issues per
 * quarter (the bundles give issues by sector per quarter). When the service sends its own bundles,
 * its own presentations show how far it reaches its catchment.
 */
import { estimateChange, pearsonOf, pooledDispersion, type ChangeEstimate, type PeriodCounts } from '../../core/area/change.ts';
import { describeChange, describeReach } from '../../core/area/change-words.ts';
import { monthFromIndex } from '../../core/bundle/period.ts';
import { RecordError } from '../../core/errors.ts';
import { comparisonSectorsFor, reportFromWindow, type BaselineReport, type KeyComparison } from './baselines.ts';
import { emptyBaseline } from './events.ts';
import type { AreaDatabase } from './open.ts';
import { isoSeconds } from '../../core/timestamps.ts';
import { dataMonths, readWindow, sumOver } from './windows.ts';

export interface AreaService {
  id: number;
  name: string;
  openedOn: string;
  sectors: string[];
  issues: string[];
  organisationId: string | null;
}

export interface NewService {
  name: string;
  openedOn: string;
  sectors: string[];
  issues: string[];
  organisationId?: string | null;
}

export function addService(area: AreaDatabase, s: NewService, now = new Date()): AreaService {
  const id = Number(
    area.sqlite
      .prepare('INSERT INTO area_services (name, opened_on, sectors, issues, organisation_id, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.name, s.openedOn, JSON.stringify(s.sectors), JSON.stringify(s.issues), s.organisationId ?? null, isoSeconds(now)).lastInsertRowid,
  );
  return { id, name: s.name, openedOn: s.openedOn, sectors: s.sectors, issues: s.issues, organisationId: s.organisationId ?? null };
}

export function listServices(area: AreaDatabase): AreaService[] {
  return (
    area.sqlite.prepare('SELECT id, name, opened_on, sectors, issues, organisation_id FROM area_services ORDER BY opened_on, id').all() as {
      id: number;
      name: string;
      opened_on: string;
      sectors: string;
      issues: string;
      organisation_id: string | null;
    }[]
  ).map((r) => ({
    id: r.id,
    name: r.name,
    openedOn: r.opened_on,
    sectors: JSON.parse(r.sectors) as string[],
    issues: JSON.parse(r.issues) as string[],
    organisationId: r.organisation_id,
  }));
}

export function deleteService(area: AreaDatabase, id: number): void {
  if (area.sqlite.prepare('DELETE FROM area_services WHERE id = ?').run(id).changes === 0) throw new RecordError('not_found', `There is no service ${id}.`);
}

export interface ServiceReport {
  service: AreaService;
  quartersBefore: string[];
  quartersAfter: string[];
  /** Presentations of its issues at organisations reporting throughout, catchment against comparison sectors: all its issues together first, then each. */
  presentations: BaselineReport;
  /** Its own presentations from its catchment against the comparison sectors (when it sends bundles). */
  reach: (ChangeEstimate & { verdict: string }) | null;
  reachNote: string;
  note: string | null;
}

export const ALL_ISSUES = '*';

function quarterIndex(quarter: string): number {
  return Number(quarter.slice(0, 4)) * 4 + Number(quarter.slice(6)) - 1;
}
function quarterFromIndex(i: number): string {
  return `${Math.floor(i / 4)}-Q${(i % 4) + 1}`;
}
function monthsOfQuarter(quarter: string): string[] {
  const first = Number(quarter.slice(0, 4)) * 12 + (Number(quarter.slice(6)) - 1) * 3;
  return [0, 1, 2].map((k) => monthFromIndex(first + k));
}

export interface ServiceCompareOptions {
  quarters?: number;
  issueLabels?: Readonly<Record<string, string>>;
  deprivation?: (sectors: readonly string[]) => ReadonlyMap<string, number>;
}

/**
 * Its issues' presentations in the `quarters` whole quarters before the quarter it opened in
 * against the `quarters` after it (the opening quarter is left out), catchment against comparison
 * sectors chosen by level of its issues and deprivation.
 */
export function compareService(area: AreaDatabase, serviceId: number, options: ServiceCompareOptions = {}): ServiceReport {
  const service = listServices(area).find((s) => s.id === serviceId);
  if (!service) throw new RecordError('not_found', `There is no service ${serviceId}.`);
  const n = options.quarters ?? 2;
  const opened = quarterIndex(`${service.openedOn.slice(0, 4)}-Q${Math.ceil(Number(service.openedOn.slice(5, 7)) / 3)}`);
  const available = new Set(dataMonths(area));
  const quartersBefore = Array.from({ length: n }, (_, i) => quarterFromIndex(opened - n + i));
  const quartersAfter = Array.from({ length: n }, (_, i) => quarterFromIndex(opened + 1 + i)).filter((q) => monthsOfQuarter(q).every((m) => available.has(m)));
  const monthsBefore = quartersBefore.flatMap(monthsOfQuarter);
  const label = (code: string) => (code === ALL_ISSUES ? 'Presentations of its issues' : `${options.issueLabels?.[code] ?? code} presentations`);
  const noReferrals =
    'Referrals to the service cannot be counted from the bundles (they do not carry where people were referred). If the service sends its own bundles, link it to its organisation to see how far it reaches its catchment.';
  const blankReach = { reach: null, reachNote: service.organisationId ? 'There is nothing to compare its own presentations with yet.' : noReferrals };
  if (quartersAfter.length === 0) {
    return {
      service,
      quartersBefore,
      quartersAfter,
      presentations: emptyBaseline('comparison-sectors', 'No whole quarter after the opening has data yet.'),
      ...blankReach,
      note: `There is no data yet for a whole quarter after ${service.openedOn}.`,
    };
  }
  const studyQuarters = [...quartersBefore, ...quartersAfter];
  const studyMonths = studyQuarters.flatMap(monthsOfQuarter);
  const chosen = comparisonSectorsFor(
    area,
    'sector-quarter-issue',
    service.sectors,
    quartersBefore,
    monthsBefore,
    service.issues,
    options.deprivation ?? (() => new Map()),
  );
  if (chosen.sectors.length === 0) {
    const note = `No comparison sectors could be chosen: ${chosen.why}.`;
    return { service, quartersBefore, quartersAfter, presentations: emptyBaseline('comparison-sectors', note), ...blankReach, note: null };
  }
  const afterWords = quartersAfter.length === 1 ? 'the quarter after it opened' : `the ${quartersAfter.length} quarters after it opened`;
  const occasion = `the opening of ${service.name} (${service.openedOn})`;
  const where = `in its catchment (${service.sectors.join(', ')})`;
  const pairs = studyQuarters.map((q, i) => ({ study: q, baseline: q, after: i >= quartersBefore.length }));
  const window = readWindow(area, {
    table: 'sector-quarter-issue',
    periods: studyQuarters,
    months: studyMonths,
    sectors: [...service.sectors, ...chosen.sectors],
    keys: service.issues,
  });
  const words = { subject: label, where, afterWords, occasion };
  const perIssue = reportFromWindow(
    'comparison-sectors',
    `${chosen.sectors.join(', ')} in the same quarters: ${chosen.why}`,
    window,
    service.sectors,
    chosen.sectors,
    pairs,
    service.issues,
    words,
    chosen.sectors,
  );
  // All its issues together: the one question stated in advance, so it is not among the issues' multiple comparisons.
  if (window.organisations.length > 0) {
    const together: PeriodCounts[] = pairs.map((p) => ({
      period: p.study,
      after: p.after,
      study: service.issues.reduce((t, k) => t + sumOver(window, service.sectors, k, p.study), 0),
      baseline: service.issues.reduce((t, k) => t + sumOver(window, chosen.sectors, k, p.baseline), 0),
    }));
    // The dispersion pooled over its issues where they have enough data, else from the combined series itself.
    const dispersion = perIssue.dispersion !== null ? { factor: perIssue.dispersion, df: perIssue.dispersionDf } : pooledDispersion([pearsonOf(together)]);
    const estimate = estimateChange(together, dispersion);
    const all: KeyComparison = {
      key: ALL_ISSUES,
      ...estimate,
      qValue: estimate.pValue,
      verdict: describeChange({ ...words, subject: label(ALL_ISSUES), baseline: 'comparison-sectors', tested: 1 }, { ...estimate, qValue: estimate.pValue }),
    };
    perIssue.comparisons = [all, ...perIssue.comparisons];
  }

  let reach: ServiceReport['reach'] = null;
  let reachNote: string;
  if (!service.organisationId) {
    reachNote = noReferrals;
  } else {
    const own = readWindow(area, {
      table: 'sector-quarter-issue',
      periods: quartersAfter,
      months: quartersAfter.flatMap(monthsOfQuarter),
      sectors: [...service.sectors, ...chosen.sectors],
      keys: service.issues,
      organisation: service.organisationId,
    });
    if (own.organisations.length === 0) {
      reachNote = `No bundles from ${service.organisationId} have been imported.`;
    } else {
      const periods: PeriodCounts[] = [
        ...quartersBefore.map((q) => ({
          period: q,
          after: false,
          study: service.issues.reduce((t, k) => t + sumOver(window, service.sectors, k, q), 0),
          baseline: service.issues.reduce((t, k) => t + sumOver(window, chosen.sectors, k, q), 0),
        })),
        ...quartersAfter.map((q) => ({
          period: q,
          after: true,
          study: service.issues.reduce((t, k) => t + sumOver(own, service.sectors, k, q), 0),
          baseline: service.issues.reduce((t, k) => t + sumOver(own, chosen.sectors, k, q), 0),
        })),
      ];
      const estimate = estimateChange(periods, pooledDispersion([pearsonOf(periods)]));
      reach = { ...estimate, verdict: describeReach(service.name, afterWords, estimate) };
      reachNote = `Its own bundles (${service.organisationId}), its issues only.`;
    }
  }
  return { service, quartersBefore, quartersAfter, presentations: perIssue, reach, reachNote, note: null };
}
