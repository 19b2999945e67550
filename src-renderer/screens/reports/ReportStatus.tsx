/** What a report shows while it loads or when its call fails. */
import { useEffect } from 'react';
import type { ReportState } from './useReport.ts';
import { setFilterErrors } from './filterStore.ts';

export function ReportStatus<T>({ state, what }: { state: ReportState<T>; what: string }) {
  const fieldErrors = state.status === 'error' ? state.error.fieldErrors : null;
  // Filter mistakes belong next to the filter's fields; a success clears them.
  useEffect(() => {
    if (state.status === 'ready') setFilterErrors({});
    else if (fieldErrors && Object.keys(fieldErrors).some((k) => k.startsWith('filter.'))) setFilterErrors(fieldErrors);
  }, [state.status, fieldErrors]);
  return (
    <div className="report-status" aria-live="polite" role="status">
      {state.status === 'loading' ? <p className="loading">Working out {what}…</p> : null}
      {state.status === 'error' ? (
        <div className="error-summary" role="alert">
          {state.error.message}
        </div>
      ) : null}
    </div>
  );
}
