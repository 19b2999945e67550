/** Deprivation: clients by the IMD decile of their neighbourhood, against the even 10% split. */
import { EDITION_NAMES, isIodEdition } from '../../../src-main/core/deprivation.ts';
import { ChartPanel } from '../../components/charts/ChartPanel.tsx';
import { SERIES_COLOURS } from '../../components/charts/chartjs.ts';
import { percent } from '../../components/charts/DataTable.tsx';
import { asCallFilter, type ReportFilterState } from './filterStore.ts';
import { ReportStatus } from './ReportStatus.tsx';
import { shown, useReport } from './useReport.ts';

export function decileLabel(decile: number | null): string {
  if (decile === null) return 'Unknown';
  if (decile === 1) return '1 (most deprived 10%)';
  if (decile === 10) return '10 (least deprived 10%)';
  return String(decile);
}

/** Which edition the deciles come from, said plainly: one edition, or each edition's share when clients were placed with both. */
export function editionSentence(editions: { edition: string; clients: number }[]): string {
  const name = (e: string) => (isIodEdition(e) ? `the ${EDITION_NAMES[e]} (${e})` : e);
  if (editions.length === 0) return 'Deciles come from the English Indices of Deprivation.';
  if (editions.length === 1) return `Deciles come from ${name(editions[0]!.edition)}.`;
  const parts = editions.map((e) => `${name(e.edition)} for ${e.clients.toLocaleString('en-GB')} clients`);
  return `Deciles come from ${parts.join(' and ')}: a client’s 2021 neighbourhood decides which (see Settings).`;
}

export function DecilesView({ filter }: { filter: ReportFilterState }) {
  const state = useReport('reports.deciles', { filter: asCallFilter(filter) });
  const report = shown(state);
  const known = report?.deciles.filter((d) => d.decile !== null) ?? [];
  const unknown = report?.deciles.find((d) => d.decile === null);

  return (
    <div className={state.status === 'loading' ? 'report-body stale' : 'report-body'}>
      <ReportStatus state={state} what="the deprivation deciles" />
      {report ? (
        <>
          <p className="headline big-headline" data-testid="decile-headline">
            {report.mostDeprivedShare === null ? (
              'No client in this selection has a known neighbourhood, so the deprivation split cannot be shown.'
            ) : (
              <>
                <strong>{Math.round(report.mostDeprivedShare * 100)}%</strong> of our clients live in the most deprived 20% of neighbourhoods{' '}
                <span className="muted">(an even spread would be {Math.round(report.expectedMostDeprivedShare * 100)}%).</span>
              </>
            )}
          </p>
          <p className="hint">
            Shares are of the {report.knownPeople.toLocaleString('en-GB')} people whose neighbourhood is known.{' '}
            {unknown && unknown.people > 0 ? (
              <strong>{unknown.people.toLocaleString('en-GB')} people have no known neighbourhood and are counted in the “Unknown” row.</strong>
            ) : (
              'Every client’s neighbourhood is known.'
            )}{' '}
            <span data-testid="decile-edition">{editionSentence(report.editions)}</span> 1 = the most deprived 10% of neighbourhoods in England.
            {report.derivedPlacements > 0 ? (
              <>
                {' '}
                {report.derivedPlacements.toLocaleString('en-GB')} of the clients with a decile have a postcode placed from its centre point: about 1 in 100
                postcodes near a boundary may fall in the neighbouring area. Importing the latest ONS postcode directory in Settings places them officially.
              </>
            ) : null}
          </p>
          <ChartPanel
            slug="deciles"
            height={420}
            title="Clients by deprivation decile"
            description="The bars are our clients’ share in each decile; the line is the even split (10% each) we would see if need took no notice of deprivation."
            chart={{
              type: 'bar',
              data: {
                labels: known.map((d) => String(d.decile)),
                datasets: [
                  {
                    type: 'line',
                    label: 'Even split (10%)',
                    data: known.map((d) => (d.expectedShare ?? 0) * 100),
                    borderColor: SERIES_COLOURS.expected,
                    backgroundColor: SERIES_COLOURS.expected,
                    borderDash: [6, 4],
                    pointRadius: 0,
                    pointStyle: 'line',
                    borderWidth: 2,
                  },
                  { type: 'bar', label: 'Our clients (%)', data: known.map((d) => (d.share ?? 0) * 100), backgroundColor: SERIES_COLOURS.people },
                ],
              },
              options: {
                plugins: { legend: { labels: { usePointStyle: true } } },
                scales: {
                  y: { beginAtZero: true, title: { display: true, text: '% of clients with a known neighbourhood' } },
                  x: { title: { display: true, text: 'Deprivation decile (1 = most deprived)' } },
                },
              },
            }}
            table={{
              caption: 'Clients by deprivation decile',
              columns: [
                { label: 'Decile' },
                { label: 'People', numeric: true },
                { label: 'Presentations', numeric: true },
                { label: 'Share of known', numeric: true, format: percent },
                { label: 'Even split', numeric: true, format: percent },
              ],
              rows: report.deciles.map((d) => [decileLabel(d.decile), d.people, d.presentations, d.share, d.expectedShare]),
            }}
          />
        </>
      ) : null}
    </div>
  );
}
