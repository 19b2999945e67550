/** Runs a report call whenever its input changes, ignoring answers to superseded requests. */
import { useEffect, useState } from 'react';
import type { CallError, CallInput, CallName, CallOutput } from '../../../src-main/ipc/contract.ts';
import { call } from '../../api.ts';

export type ReportState<T> = { status: 'loading'; previous: T | null } | { status: 'ready'; value: T } | { status: 'error'; error: CallError };

export function useReport<K extends CallName>(name: K, input: CallInput<K> | null): ReportState<CallOutput<K>> {
  const key = input === null ? null : JSON.stringify(input);
  const [state, setState] = useState<ReportState<CallOutput<K>>>({ status: 'loading', previous: null });
  useEffect(() => {
    if (key === null) return;
    let current = true;
    setState((s) => ({ status: 'loading', previous: s.status === 'ready' ? s.value : s.status === 'loading' ? s.previous : null }));
    void call(name, JSON.parse(key) as CallInput<K>).then((result) => {
      if (!current) return;
      setState(result.ok ? { status: 'ready', value: result.value } : { status: 'error', error: result.error });
    });
    return () => {
      current = false;
    };
  }, [name, key]);
  return state;
}

/** The value to show: the fresh one, or the last one while a new one loads (dimmed by the caller). */
export function shown<T>(state: ReportState<T>): T | null {
  return state.status === 'ready' ? state.value : state.status === 'loading' ? state.previous : null;
}
