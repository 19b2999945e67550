/**
 * Runs a call whenever its input changes, ignoring answers to superseded requests, and keeps the
 * last value while a new one loads (so a screen can dim rather than blank it). `reload()` runs it
 * again after a change elsewhere (an import, a new event).
 */
import { useCallback, useEffect, useState } from 'react';
import type { CallError, CallInput, CallName, CallOutput } from '../src-main/ipc/contract.ts';
import { call } from './api.ts';

export type CallState<T> = { status: 'loading'; previous: T | null } | { status: 'ready'; value: T } | { status: 'error'; error: CallError };

export function useCall<K extends CallName>(name: K, input: CallInput<K> | null): [CallState<CallOutput<K>>, () => void] {
  const key = input === null ? null : JSON.stringify(input);
  const [generation, setGeneration] = useState(0);
  const [state, setState] = useState<CallState<CallOutput<K>>>({ status: 'loading', previous: null });
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
  }, [name, key, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return [state, reload];
}

/** The value to show: the fresh one, or the last one while a new one loads (dimmed by the caller). */
export function shown<T>(state: CallState<T>): T | null {
  return state.status === 'ready' ? state.value : state.status === 'loading' ? state.previous : null;
}
