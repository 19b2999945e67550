/** The reports' view of useCall (src-renderer/use-call.ts): the state alone. */
import type { CallInput, CallName, CallOutput } from '../../../src-main/ipc/contract.ts';
import { useCall, type CallState } from '../../use-call.ts';

export { shown } from '../../use-call.ts';
export type ReportState<T> = CallState<T>;

export function useReport<K extends CallName>(name: K, input: CallInput<K> | null): ReportState<CallOutput<K>> {
  return useCall(name, input)[0];
}
