/** Need by outcome framework: the filtered presentations grouped by the national framework outcomes their issues are defined against. */
import { FrameworkNeedPanels } from '../../components/FrameworkNeed.tsx';
import { asCallFilter, type ReportFilterState } from './filterStore.ts';
import { ReportStatus } from './ReportStatus.tsx';
import { shown, useReport } from './useReport.ts';

export function FrameworksView({ filter }: { filter: ReportFilterState }) {
  const state = useReport('reports.frameworks', { filter: asCallFilter(filter) });
  const need = shown(state);
  return (
    <div className={state.status === 'loading' ? 'report-body stale' : 'report-body'}>
      <ReportStatus state={state} what="need by outcome framework" />
      {need ? <FrameworkNeedPanels need={need} slugPrefix="frameworks" /> : null}
    </div>
  );
}
