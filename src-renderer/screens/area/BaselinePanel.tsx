/**
 * One study-against-baseline report (area.events.compare, area.services.compare): what was
 * compared with what, how many comparisons were tested, the plain-words verdicts, and the
 * figures behind them — counts, the estimate with its 95% interval, p and q.
 */
import { baselineWords, formatP, formatRatio, percentChange, readingOf } from '../../../src-main/core/area/change-words.ts';
import type { CallOutput } from '../../../src-main/ipc/contract.ts';
import { DataTable } from '../../components/charts/DataTable.tsx';

type Baseline = CallOutput<'area.events.compare'>['baselines'][number];

const HEADINGS: Record<Baseline['kind'], string> = {
  'year-earlier': 'Against the same months a year earlier (allows for the season)',
  'comparison-sectors': 'Against comparison sectors (allows for the season and area-wide change)',
  'rest-of-area': 'Against the rest of the area',
};

export function estimateText(c: { ratio: number | null; lower: number | null; upper: number | null }): string {
  if (c.ratio === null || c.lower === null || c.upper === null) return 'too little data to say';
  return `${formatRatio(c.ratio)} (${formatRatio(c.lower)} to ${formatRatio(c.upper)})`;
}

export function BaselinePanel({
  baseline,
  keyName,
  what,
  whatPlural,
  caption,
}: {
  baseline: Baseline;
  keyName: (key: string) => string;
  what: string;
  whatPlural: string;
  caption: string;
}) {
  const called = baseline.comparisons.filter((c) => c.qValue !== null && c.qValue < 0.05);
  return (
    <section className="baseline-panel" data-testid={`baseline-${baseline.kind}`} aria-label={HEADINGS[baseline.kind]}>
      <h4>{HEADINGS[baseline.kind]}</h4>
      {baseline.note ? <p className="hint event-note">{baseline.note}</p> : null}
      {baseline.description ? (
        <p className="hint">
          <strong>Compared with:</strong> {baseline.description}.
          {baseline.organisations.length > 0 ? ` Organisations reporting for every month used: ${baseline.organisations.join(', ')}.` : ''}
          {baseline.suppressedCells > 0 ? ` ${baseline.suppressedCells} suppressed figures were left out (the counts are lower bounds).` : ''}
        </p>
      ) : null}
      {baseline.comparisons.length > 0 ? (
        <>
          <p className="event-summary" data-testid="baseline-summary">
            {baseline.tested === 0
              ? ''
              : `${baseline.tested} ${baseline.tested === 1 ? what : whatPlural} tested; ${
                  called.length === 0
                    ? 'none changed by more than chance variation would usually give'
                    : `${called.length} changed by more than chance variation would usually give, allowing for the ${baseline.tested} tested`
                }.`}{' '}
            {baseline.dispersion !== null
              ? `Counts varied ${formatRatio(baseline.dispersion)} times as much as pure chance (Poisson) would make them; the intervals allow for that.`
              : null}
          </p>
          <ul className="verdicts" data-testid="event-verdicts">
            {baseline.comparisons.map((c) => (
              <li key={c.key} className={c.qValue !== null && c.qValue < 0.05 ? 'verdict-significant' : undefined}>
                {c.verdict}
              </li>
            ))}
          </ul>
          <details>
            <summary>The figures behind the verdicts</summary>
            <DataTable
              sortable
              table={{
                caption,
                columns: [
                  { label: what[0]!.toUpperCase() + what.slice(1) },
                  { label: 'Study before', numeric: true },
                  { label: 'Study after', numeric: true },
                  { label: 'Study change' },
                  { label: `${baselineWords(baseline.kind)[0]!.toUpperCase()}${baselineWords(baseline.kind).slice(1)}: before`, numeric: true },
                  { label: 'Baseline after', numeric: true },
                  { label: 'Baseline change' },
                  { label: 'Ratio of changes (95% interval)' },
                  { label: 'p', numeric: true, format: (v) => (typeof v === 'number' ? formatP(v) : '—') },
                  { label: 'q (false discovery rate)', numeric: true, format: (v) => (typeof v === 'number' ? formatP(v) : '—') },
                  { label: 'Reading' },
                ],
                rows: baseline.comparisons.map((c) => [
                  keyName(c.key),
                  c.studyBefore,
                  c.studyAfter,
                  percentChange(c.studyBefore, c.studyAfter),
                  c.baselineBefore,
                  c.baselineAfter,
                  percentChange(c.baselineBefore, c.baselineAfter),
                  estimateText(c),
                  c.pValue,
                  c.qValue,
                  readingOf(c),
                ]),
              }}
            />
          </details>
        </>
      ) : null}
    </section>
  );
}
