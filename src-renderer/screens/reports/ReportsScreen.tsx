/**
 * Reports: what people come to us with, where from, whether it is changing and whether we are
 * helping. One shared filter; a view per question (#/reports/need, /where, /deciles, /impact, /map, /frameworks).
 */
import { useEffect, useState } from 'react';
import { printOrSavePdf } from '../../print.ts';
import type { CallOutput } from '../../../src-main/ipc/contract.ts';
import { addMonths, firstDayOfMonth, lastDayOfMonth } from '../../../src-main/core/reports.ts';
import { call } from '../../api.ts';
import { formatDate } from '../../format.ts';
import { useTaxonomy } from '../../use-taxonomy.ts';
import { ViewTabs } from '../../components/ViewTabs.tsx';
import type { ReportView } from '../../router.ts';
import { FilterBar } from './FilterBar.tsx';
import { setReportFilter, useReportFilter, type ReportFilterState } from './filterStore.ts';
import { NeedView } from './NeedView.tsx';
import { WhereView } from './WhereView.tsx';
import { DecilesView } from './DecilesView.tsx';
import { ImpactView } from './ImpactView.tsx';
import { MapView } from './MapView.tsx';
import { FrameworksView } from './FrameworksView.tsx';

const VIEWS: { view: ReportView; label: string; question: string }[] = [
  { view: 'need', label: 'Need', question: 'What are people coming to us with, and is it changing?' },
  { view: 'where', label: 'Where', question: 'Which postcode sectors do people come from, with what?' },
  { view: 'deciles', label: 'Deprivation', question: 'How deprived are the neighbourhoods our clients live in?' },
  { view: 'impact', label: 'Impact', question: 'Are we helping? Outcomes, time to resolve and referrals.' },
  { view: 'map', label: 'Map', question: 'Where people come from, drawn by postcode sector.' },
  { view: 'frameworks', label: 'Outcome frameworks', question: 'Our need in the language commissioners plan in: by national outcome framework.' },
];

type Options = CallOutput<'reports.filterOptions'>;

/** The last twelve whole months with data (or up to this month when there is none). */
function defaultFilter(options: Options): ReportFilterState {
  const last = options.lastMonth ?? new Date().toISOString().slice(0, 7);
  return { from: firstDayOfMonth(addMonths(last, -11)), to: lastDayOfMonth(last), category: null, issueCode: null, remit: 'all', sector: null };
}

function FilterSummary({ filter }: { filter: ReportFilterState }) {
  const taxonomy = useTaxonomy();
  const parts = [
    `${formatDate(filter.from)} to ${formatDate(filter.to)}`,
    filter.category ? (taxonomy.categories.find((c) => c.code === filter.category)?.name ?? filter.category) : 'all categories',
    filter.issueCode ? (taxonomy.issues.find((i) => i.code === filter.issueCode)?.name ?? filter.issueCode) : 'all issues',
    filter.remit === 'within' ? 'within remit only' : 'within remit or not',
    filter.sector ? `sector ${filter.sector === 'unknown' ? 'unknown' : filter.sector}` : 'everywhere',
  ];
  return (
    <p className="filter-summary">
      <strong>Showing:</strong> {parts.join(' · ')}
    </p>
  );
}

export function ReportsScreen({ view }: { view: ReportView }) {
  const filter = useReportFilter();
  const [options, setOptions] = useState<Options | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void call('reports.filterOptions', {}).then((r) => {
      if (!r.ok) return setError(r.error.message);
      setOptions(r.value);
    });
  }, []);
  useEffect(() => {
    if (options && !filter) setReportFilter(defaultFilter(options));
  }, [options, filter]);

  const current = VIEWS.find((v) => v.view === view)!;
  return (
    <section className="reports">
      <div className="page-title">
        <div>
          <h1 tabIndex={-1}>Reports: {current.label}</h1>
          <p className="report-question">{current.question}</p>
        </div>
        <button type="button" className="print-button" onClick={() => void printOrSavePdf('needmap-report.pdf')}>
          Print or save as PDF
        </button>
      </div>
      <ViewTabs label="Report views" basePath="reports" views={VIEWS} current={view} />
      {error ? (
        <div className="error-summary" role="alert">
          {error}
        </div>
      ) : null}
      {options && filter ? (
        <>
          <FilterBar applied={filter} options={options} />
          <FilterSummary filter={filter} />
          {view === 'need' ? <NeedView filter={filter} /> : null}
          {view === 'where' ? <WhereView filter={filter} /> : null}
          {view === 'deciles' ? <DecilesView filter={filter} /> : null}
          {view === 'impact' ? <ImpactView filter={filter} /> : null}
          {view === 'map' ? <MapView filter={filter} /> : null}
          {view === 'frameworks' ? <FrameworksView filter={filter} /> : null}
        </>
      ) : !error ? (
        <p aria-live="polite" role="status" className="loading">
          Loading the report filters…
        </p>
      ) : null}
    </section>
  );
}
