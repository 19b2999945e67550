/**
 * Area picture: the combined, verified view of many organisations' signed bundles (its own
 * database, holding no personal data). One view per task: #/area/dashboard, /organisations,
 * /import, /events, /services, /national, /open-data.
 */
import { ViewTabs } from '../../components/ViewTabs.tsx';
import { printOrSavePdf } from '../../print.ts';
import { shown } from '../../use-call.ts';
import type { AreaView } from './views.ts';
import { AreaError, useAreaCall } from './common.tsx';
import { DashboardView } from './DashboardView.tsx';
import { EventsView } from './EventsView.tsx';
import { ImportView } from './ImportView.tsx';
import { NationalView } from './NationalView.tsx';
import { OpenDataView } from './OpenDataView.tsx';
import { ServicesView } from './ServicesView.tsx';
import { FrameworksAreaView } from './FrameworksAreaView.tsx';
import { TrustedView } from './TrustedView.tsx';

const VIEWS: { view: AreaView; label: string; question: string }[] = [
  { view: 'dashboard', label: 'Dashboard', question: 'What is the level of need in each part of the area, and how is it changing?' },
  { view: 'organisations', label: 'Trusted organisations', question: 'Whose bundles do we accept? Their signing keys, checked with each organisation.' },
  { view: 'import', label: 'Import bundles', question: 'Bring in organisations’ signed bundles; each is verified before it counts.' },
  { view: 'events', label: 'Local events', question: 'Did need move with what happened locally? Before and after each event, and the largest recent changes.' },
  { view: 'services', label: 'New services', question: 'What changed in a new service’s catchment, against sectors like it?' },
  { view: 'national', label: 'Local vs national', question: 'Where is recorded need far from what deprivation and population would predict?' },
  { view: 'frameworks', label: 'Outcome frameworks', question: 'Need across the area by national outcome framework: the language commissioners plan in.' },
  { view: 'open-data', label: 'Open data', question: 'Publish the combined figures as CSV with CSV on the Web metadata, disclosure control applied again.' },
];

export function AreaScreen({ view }: { view: AreaView }) {
  // Reloaded after imports and trust changes so the summary line stays true.
  const [statusState, reloadStatus] = useAreaCall('area.status', {});
  // The last answer stays while a reload runs, so the view below is not unmounted (and its messages lost).
  const status = shown(statusState);
  const current = VIEWS.find((v) => v.view === view)!;

  return (
    <section className="reports area">
      <div className="page-title">
        <div>
          <h1 tabIndex={-1}>Area picture: {current.label}</h1>
          <p className="report-question">{current.question}</p>
        </div>
        {view === 'dashboard' ? (
          <button type="button" className="print-button" onClick={() => void printOrSavePdf('needmap-area-picture.pdf')}>
            Print or save as PDF
          </button>
        ) : null}
      </div>
      <ViewTabs label="Area picture views" basePath="area" views={VIEWS} current={view} />
      <AreaError message={statusState.status === 'error' ? statusState.error.message : null} />
      {status && !status.available ? <AreaError message="The area picture is not available here: no area database is configured." /> : null}
      {status?.available ? (
        <p className="filter-summary area-summary" data-testid="area-summary">
          <strong>Area database:</strong> {status.activeBundles.toLocaleString('en-GB')} active {status.activeBundles === 1 ? 'bundle' : 'bundles'} from{' '}
          {status.organisations.toLocaleString('en-GB')} {status.organisations === 1 ? 'organisation' : 'organisations'} ·{' '}
          {status.trustedKeys.toLocaleString('en-GB')} trusted {status.trustedKeys === 1 ? 'key' : 'keys'}
          {status.file ? <span className="hint"> · {status.file}</span> : null}
        </p>
      ) : null}
      {status?.available ? (
        <div className="report-body">
          {view === 'dashboard' ? <DashboardView hasBundles={status.activeBundles > 0} /> : null}
          {view === 'organisations' ? <TrustedView onChanged={reloadStatus} /> : null}
          {view === 'import' ? <ImportView onChanged={reloadStatus} /> : null}
          {view === 'events' ? <EventsView /> : null}
          {view === 'services' ? <ServicesView /> : null}
          {view === 'national' ? <NationalView /> : null}
          {view === 'frameworks' ? <FrameworksAreaView /> : null}
          {view === 'open-data' ? <OpenDataView /> : null}
        </div>
      ) : statusState.status === 'loading' ? (
        <p className="loading" role="status">
          Opening the area database…
        </p>
      ) : null}
    </section>
  );
}
