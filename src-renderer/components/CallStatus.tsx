/** What a view shows while its call loads, or when the call fails. */
import type { CallState } from '../use-call.ts';

export function CallStatus<T>({ state, what }: { state: CallState<T>; what: string }) {
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
