/**
 * The renderer's only way to reach the main process. In Electron the preload exposes
 * `window.needmap.call`; in the browser host the same call goes over HTTP to /api/call, with this
 * tab's session secret in the X-NeedMap-Session header (kept in sessionStorage: this tab only, gone
 * when it closes; the browser never sends it anywhere by itself, as it would a cookie).
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

/** Where this tab keeps its session secret (the e2e tests read it from here too). */
export const SESSION_STORAGE_KEY = 'needmap.session';

export const NEW_LINK_HELP =
  'Each NeedMap start link opens NeedMap once, in one tab. For a new link, run "needmap open" on this computer (or restart NeedMap and open the address it prints).';

const sessionEndedListeners = new Set<(message: string) => void>();

/** Called when the host no longer knows this tab's session (NeedMap restarted, or the tab was idle for hours). */
export function onSessionEnded(listener: (message: string) => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

/**
 * Browser mode, before anything else: turn the start link's one-time token (?token=…) into this
 * tab's session secret, and take the token out of the address bar and history. Returns null when
 * the tab has a session, else the message to show instead of the app.
 */
export async function startBrowserSession(): Promise<string | null> {
  if (window.needmap) return null;
  const token = new URLSearchParams(window.location.search).get('token');
  if (token !== null) {
    window.history.replaceState(null, '', window.location.pathname + window.location.hash);
    try {
      const response = await fetch('/api/session', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-NeedMap': '1' },
        body: JSON.stringify({ token }),
      });
      if (response.ok) {
        sessionStorage.setItem(SESSION_STORAGE_KEY, ((await response.json()) as { secret: string }).secret);
        return null;
      }
      if (!sessionStorage.getItem(SESSION_STORAGE_KEY)) return await response.text();
    } catch {
      return 'NeedMap is not running any more. Start it again.';
    }
  }
  return sessionStorage.getItem(SESSION_STORAGE_KEY) ? null : `This tab is not connected to NeedMap. ${NEW_LINK_HELP}`;
}

async function overHttp(name: string, input: unknown): Promise<CallResult<unknown>> {
  let response: Response;
  try {
    response = await fetch('/api/call', {
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json', 'X-NeedMap': '1', 'X-NeedMap-Session': sessionStorage.getItem(SESSION_STORAGE_KEY) ?? '' },
      body: JSON.stringify({ name, input }),
    });
  } catch {
    return { ok: false, error: { code: 'internal', message: 'NeedMap is not running any more. Start it again.', fieldErrors: {} } };
  }
  if (response.status === 401) {
    sessionStorage.removeItem(SESSION_STORAGE_KEY);
    const message = await response.text();
    sessionEndedListeners.forEach((listener) => listener(message));
    return { ok: false, error: { code: 'forbidden', message, fieldErrors: {} } };
  }
  if (!response.ok) {
    return { ok: false, error: { code: 'forbidden', message: await response.text(), fieldErrors: {} } };
  }
  return (await response.json()) as CallResult<unknown>;
}

const loginListeners = new Set<(error: CallError) => void>();

/** Called whenever the main process refuses a call because nobody is logged in (e.g. auto-lock, or the office server restarted). */
export function onLoginRequired(listener: (error: CallError) => void): () => void {
  loginListeners.add(listener);
  return () => loginListeners.delete(listener);
}

export async function call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallResult<CallOutput<K>>> {
  const result = window.needmap ? await window.needmap.call(name, input) : await overHttp(name, input);
  if (!result.ok && (result.error.reason === 'login-required' || result.error.reason === 'setup-required' || result.error.reason === 'server-restarted')) {
    const { error } = result;
    loginListeners.forEach((listener) => listener(error));
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
