/** A report's loading and error state; a mistake in the filter is shown next to the filter's fields. */
import { useEffect } from 'react';
import { CallStatus } from '../../components/CallStatus.tsx';
import type { ReportState } from './useReport.ts';
import { setFilterErrors } from './filterStore.ts';

export function ReportStatus<T>({ state, what }: { state: ReportState<T>; what: string }) {
  const fieldErrors = state.status === 'error' ? state.error.fieldErrors : null;
  // Filter mistakes belong next to the filter's fields; a success clears them.
  useEffect(() => {
    if (state.status === 'ready') setFilterErrors({});
    else if (fieldErrors && Object.keys(fieldErrors).some((k) => k.startsWith('filter.'))) setFilterErrors(fieldErrors);
  }, [state.status, fieldErrors]);
  return <CallStatus state={state} what={what} />;
}
