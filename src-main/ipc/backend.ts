/**
 * What a transport (the browser host, the Electron shell) hands each call to: the sessions it
 * finds callers in, and `dispatch`. On a PC with the database that is the local backend (this
 * process's AppContext); on a client PC of an office server it is the forwarder
 * (src-main/office/forwarder.ts), which sends each call to the server. The renderer cannot tell.
 */
import type { CallResult } from './contract.ts';
import type { AppContext } from './context.ts';
import { dispatch } from './handlers.ts';
import { startHousekeeping } from './housekeeping.ts';
import { closeIfNobodyLoggedIn } from './permissions.ts';
import type { CallerSession, SessionStore } from './sessions.ts';

export interface CallBackend {
  /** The callers' sessions (tabs, windows) this transport finds by secret or channel. */
  readonly sessions: SessionStore;
  dispatch(name: unknown, input: unknown, caller: CallerSession): Promise<CallResult<unknown>>;
  /** A caller has gone for good (its window closed). */
  ended(caller: CallerSession): void;
  /** Auto-lock, abandoned sessions…, every half minute; returns a stop function. */
  startHousekeeping(): () => void;
  /** Where internal errors' details go (beside the database), if anywhere. */
  readonly errorLogFile?: string | undefined;
}

/** The calls answered by this process's own database. */
export function localBackend(ctx: AppContext): CallBackend {
  return {
    sessions: ctx.sessions,
    dispatch: (name, input, caller) => dispatch(name, input, ctx, caller),
    ended(caller) {
      ctx.sessions.end(caller);
      closeIfNobodyLoggedIn(ctx);
    },
    startHousekeeping: () => startHousekeeping(ctx),
    errorLogFile: ctx.errorLogFile,
  };
}
