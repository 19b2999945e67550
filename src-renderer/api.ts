/**
 * The renderer's only way to reach the main process. In Electron the preload exposes
 * `window.needmap.call`; in the browser host the same call goes over HTTP to /api/call.
 * Either way the result is a CallResult from the one contract.
 */
import type { CallError, CallInput, CallName, CallOutput, CallResult } from '../src-main/ipc/contract.ts';

declare global {
  interface Window {
    needmap?: {
      call(name: string, input: unknown): Promise<CallResult<unknown>>;
      /** Desktop app only: save the current page as a PDF (asks where). */
      savePdf?(suggestedName: string): Promise<void>;
    };
  }
}

async function overHttp(name: string, input: unknown): Promise<CallResult<unknown>> {
  let response: Response;
  try {
    response = await fetch('/api/call', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-NeedMap': '1' },
      body: JSON.stringify({ name, input }),
    });
  } catch {
    return { ok: false, error: { code: 'internal', message: 'NeedMap is not running any more. Start it again.', fieldErrors: {} } };
  }
  if (!response.ok) {
    return { ok: false, error: { code: 'forbidden', message: await response.text(), fieldErrors: {} } };
  }
  return (await response.json()) as CallResult<unknown>;
}

const loginListeners = new Set<() => void>();

/** Called whenever the main process refuses a call because nobody is logged in (e.g. auto-lock). */
export function onLoginRequired(listener: () => void): () => void {
  loginListeners.add(listener);
  return () => loginListeners.delete(listener);
}

export async function call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallResult<CallOutput<K>>> {
  const result = window.needmap ? await window.needmap.call(name, input) : await overHttp(name, input);
  if (!result.ok && (result.error.reason === 'login-required' || result.error.reason === 'setup-required')) {
    loginListeners.forEach((listener) => listener());
  }
  return result as CallResult<CallOutput<K>>;
}

/** For screens that only read: returns the value or throws the CallError's message. */
export async function callOrThrow<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> {
  const result = await call(name, input);
  if (!result.ok) throw new CallFailed(result.error);
  return result.value;
}

export class CallFailed extends Error {
  constructor(readonly error: CallError) {
    super(error.message);
  }
}
