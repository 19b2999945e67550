/**
 * THE contract between the renderer and the main process: every call the renderer may make,
 * with a zod schema for its input and its output, gathered from one file per feature in
 * ./contract/. The Electron preload and the browser host both carry exactly these calls;
 * `dispatch` (handlers.ts) validates every input against them. Only zod and pure core modules
 * are imported, so the renderer imports this file too.
 */
import { z } from 'zod';
import { recordingCalls } from './contract/recording.ts';
import { bundleCalls } from './contract/bundle.ts';
import { geoCalls } from './contract/geo.ts';
import { areaCalls } from './contract/area.ts';
import { reportsCalls } from './contract/reports.ts';
import { mapCalls } from './contract/map.ts';
import { protectCalls } from './contract/protect.ts';
import { importCalls } from './contract/import.ts';
import { officeCalls } from './contract/office.ts';

export * from './contract/recording.ts';

/** Every call, by name. Add a feature's calls here, and its handlers in handlers.ts. */
export const contract = {
  ...recordingCalls,
  ...bundleCalls,
  ...geoCalls,
  ...areaCalls,
  ...reportsCalls,
  ...mapCalls,
  ...protectCalls,
  ...importCalls,
  ...officeCalls,
} as const;

export type Contract = typeof contract;
export type CallName = keyof Contract;
export type CallInput<K extends CallName> = z.input<Contract[K]['input']>;
export type CallParsedInput<K extends CallName> = z.output<Contract[K]['input']>;
export type CallOutput<K extends CallName> = z.output<Contract[K]['output']>;

/** A failed call, shaped so a form can show each message next to its field. */
export const CallError = z.object({
  /** 'unavailable': a client PC could not reach its office server (see reason); nothing on screen is lost. */
  code: z.enum(['invalid_input', 'not_found', 'conflict', 'unknown_call', 'forbidden', 'internal', 'unavailable']),
  message: z.string(),
  /** Dotted field path ("client.postcode") → messages */
  fieldErrors: z.record(z.string(), z.array(z.string())).default({}),
  /**
   * For 'forbidden': log in (login-required), run the first-run wizard (setup-required), the role is
   * too low, or (also on a wrong password) logging in must wait (throttled, see retryAfterSeconds).
   * Office server: log in again after the server restarted, to carry on where you were
   * (server-restarted); the call must be made at the server PC itself (server-pc-only), this PC awaits an
   * admin's approval (device-pending) or was refused (device-refused). For 'unavailable': the server
   * cannot be reached (unreachable), the connection broke before it answered (interrupted: the
   * change may or may not have been saved), or it showed another certificate (wrong-certificate).
   */
  reason: z
    .enum([
      'login-required',
      'server-restarted',
      'setup-required',
      'role',
      'throttled',
      'server-pc-only',
      'device-pending',
      'device-refused',
      'unreachable',
      'interrupted',
      'wrong-certificate',
    ])
    .optional(),
  /** With reason 'throttled': whole seconds until the next login attempt is accepted. */
  retryAfterSeconds: z.number().int().nonnegative().optional(),
});
export type CallError = z.infer<typeof CallError>;

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: CallError };

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}
