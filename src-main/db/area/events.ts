/**
 * Local events and what changed around them: each event's sectors against a seasonal baseline
 * (the same sectors in the same months a year earlier) and against comparison sectors like them
 * (the same months), each a difference-in-differences of presentations per issue category
 * (core/area/change.ts). Only organisations reporting for every month used are counted.
 */
import { monthFromIndex, monthIndex } from '../../core/bundle/period.ts';
import { RecordError } from '../../core/errors.ts';
import { comparisonSectorsFor, reportFromWindow, type BaselineReport, type StudyWording } from './baselines.ts';
import type { AreaDatabase } from './open.ts';
import { isoSeconds } from '../../core/timestamps.ts';
import { dataMonths, keysIn, readWindow, shiftMonths } from './windows.ts';

export interface AreaEvent {
  id: number;
  date: string;
  title: string;
  sectors: string[] | null;
}

export function addEvent(area: AreaDatabase, event: { date: string; title: string; sectors: string[] | null }, now = new Date()): AreaEvent {
  const id = Number(
    area.sqlite
      .prepare('INSERT INTO area_events (date, title, sectors, created_at) VALUES (?, ?, ?, ?)')
      .run(event.date, event.title, event.sectors?.length ? JSON.stringify(event.sectors) : null, isoSeconds(now)).lastInsertRowid,
  );
  return { id, date: event.date, title: event.title, sectors: event.sectors?.length ? event.sectors : null };
}

export function listEvents(area: AreaDatabase): AreaEvent[] {
  return (
    area.sqlite.prepare('SELECT id, date, title, sectors FROM area_events ORDER BY date, id').all() as {
      id: number;
      date: string;
      title: string;
      sectors: string | null;
    }[]
  ).map((e) => ({ ...e, sectors: e.sectors ? (JSON.parse(e.sectors) as string[]) : null }));
}

export function deleteEvent(area: AreaDatabase, id: number): void {
  const changes = area.sqlite.prepare('DELETE FROM area_events WHERE id = ?').run(id).changes;
  if (changes === 0) throw new RecordError('not_found', `There is no event ${id}.`);
}

export interface EventReport {
  event: AreaEvent;
  monthsBefore: string[];
  monthsAfter: string[];
  /** The seasonal baseline first, then comparison sectors. */
  baselines: BaselineReport[];
  /** Why nothing could be compared at all, when so. */
  note: string | null;
}

export interface CompareOptions {
  months?: number;
  categoryLabels?: Readonly<Record<string, string>>;
  /** Only these categories (fewer comparisons, so less is lost to the false discovery control). */
  categories?: readonly string[] | null;
  /** Average IMD decile per sector (for choosing comparison sectors); none = by level only. */
  deprivation?: (sectors: readonly string[]) => ReadonlyMap<string, number>;
}

const noDeprivation = () => new Map<string, number>();

/** "the 3 months after", "the month after". */
function afterWords(n: number, what: string): string {
  return n === 1 ? `the month after ${what}` : `the ${n} months after ${what}`;
}

/**
 * Category presentations in the `months` whole months before the event's month against the
 * `months` after it (the event's own month, partly before and partly after, is left out).
 */
export function compareAroundEvent(area: AreaDatabase, eventId: number, options: CompareOptions = {}): EventReport {
  const event = listEvents(area).find((e) => e.id === eventId);
  if (!event) throw new RecordError('not_found', `There is no event ${eventId}.`);
  const n = options.months ?? 3;
  const eventMonth = monthIndex(event.date.slice(0, 7));
  const available = new Set(dataMonths(area));
  const monthsBefore = Array.from({ length: n }, (_, i) => monthFromIndex(eventMonth - n + i));
  const monthsAfter = Array.from({ length: n }, (_, i) => monthFromIndex(eventMonth + 1 + i)).filter((m) => available.has(m));
  const base = { event, monthsBefore, monthsAfter, baselines: [] as BaselineReport[] };
  if (monthsAfter.length === 0) return { ...base, note: `There is no data yet for the months after ${event.date.slice(0, 7)}.` };

  const label = (key: string) => `${options.categoryLabels?.[key] ?? key} presentations`;
  const where = event.sectors ? `in ${event.sectors.join(', ')}` : 'across the area';
  const words: StudyWording = { subject: label, where, afterWords: afterWords(monthsAfter.length, 'it'), occasion: `${event.title} (${event.date})` };
  const studyMonths = [...monthsBefore, ...monthsAfter];
  const wanted = options.categories?.length ? options.categories : null;
  const baselines: BaselineReport[] = [];

  // 1. The same sectors, the same months a year earlier.
  const yearEarlier = shiftMonths(studyMonths, -12);
  const seasonal = readWindow(area, {
    table: 'sector-month-category',
    periods: [...studyMonths, ...yearEarlier],
    months: [...studyMonths, ...yearEarlier],
    sectors: event.sectors,
    keys: wanted,
  });
  const pairsYear = studyMonths.map((m, i) => ({ study: m, baseline: yearEarlier[i]!, after: i >= monthsBefore.length }));
  const seasonalReport = reportFromWindow(
    'year-earlier',
    `${event.sectors ? event.sectors.join(', ') : 'The whole area'} in the same months a year earlier (${yearEarlier[0]} to ${yearEarlier[yearEarlier.length - 1]}), so the usual seasonal rise and fall is allowed for`,
    seasonal,
    event.sectors,
    event.sectors,
    pairsYear,
    wanted ?? keysIn(seasonal),
    words,
  );
  if (!yearEarlier.every((m) => available.has(m))) {
    seasonalReport.note = `The area database has no data for some of the same months a year earlier (${yearEarlier[0]} to ${yearEarlier[yearEarlier.length - 1]}), so the season cannot be allowed for this way.`;
    seasonalReport.comparisons = [];
    seasonalReport.tested = 0;
    seasonalReport.discoveries = 0;
  }
  baselines.push(seasonalReport);

  // 2. Comparison sectors like the event's, the same months.
  if (!event.sectors) {
    baselines.push(emptyBaseline('comparison-sectors', 'The event is for the whole area, so there are no sectors outside it to compare with.'));
  } else {
    const chosen = comparisonSectorsFor(area, 'sector-month-category', event.sectors, monthsBefore, monthsBefore, wanted, options.deprivation ?? noDeprivation);
    if (chosen.sectors.length === 0) {
      baselines.push(emptyBaseline('comparison-sectors', `No comparison sectors could be chosen: ${chosen.why}.`));
    } else {
      const sectors = [...event.sectors, ...chosen.sectors];
      const window = readWindow(area, { table: 'sector-month-category', periods: studyMonths, months: studyMonths, sectors, keys: wanted });
      baselines.push(
        reportFromWindow(
          'comparison-sectors',
          `${chosen.sectors.join(', ')} in the same months: ${chosen.why}`,
          window,
          event.sectors,
          chosen.sectors,
          studyMonths.map((m, i) => ({ study: m, baseline: m, after: i >= monthsBefore.length })),
          wanted ?? keysIn(window),
          words,
          chosen.sectors,
        ),
      );
    }
  }
  return { ...base, baselines, note: null };
}

export function emptyBaseline(kind: BaselineReport['kind'], note: string): BaselineReport {
  return {
    kind,
    description: '',
    comparisonSectors: null,
    baselinePeriodsBefore: [],
    baselinePeriodsAfter: [],
    organisations: [],
    suppressedCells: 0,
    dispersion: null,
    dispersionDf: 0,
    tested: 0,
    discoveries: 0,
    comparisons: [],
    note,
  };
}
