/**
 * Every call's implementation, gathered from one file per feature in ./handlers/, and
 * `dispatch`, the one entry point both transports (Electron IPC and the browser host) use: it
 * validates the input with the call's zod schema, runs the handler, checks the output against
 * the contract and turns any failure into a structured CallError.
 */
import { z } from 'zod';
import { RecordError } from '../core/errors.ts';
import { contract, isCallName, type CallError, type CallResult } from './contract.ts';
import type { AppContext } from './context.ts';
import { recordingHandlers } from './handlers/recording.ts';
import { bundleHandlers } from './handlers/bundle.ts';
import { geoHandlers } from './handlers/geo.ts';
import { areaHandlers } from './handlers/area.ts';
import { reportsHandlers } from './handlers/reports.ts';
import { mapHandlers } from './handlers/map.ts';
import { protectHandlers } from './handlers/protect.ts';
import { importHandlers } from './handlers/import.ts';
import { importUnderWay } from '../db/import/batches.ts';
import { officeHandlers } from './handlers/office.ts';
import { recordAudit } from './audit.ts';
import { LoginRefused } from './login.ts';
import { checkServerPcOnly, closeIfNobodyLoggedIn, guardCall } from './permissions.ts';
import type { CallerSession } from './sessions.ts';
import { reportInternalError } from '../error-log.ts';
import { isLocked } from '../db/locked.ts';

export type { AppContext } from './context.ts';

/** Add a feature's handlers here (and its calls in contract.ts). */
export const handlers = {
  ...recordingHandlers,
  ...bundleHandlers,
  ...geoHandlers,
  ...areaHandlers,
  ...reportsHandlers,
  ...mapHandlers,
  ...protectHandlers,
  ...importHandlers,
  ...officeHandlers,
} satisfies Record<keyof typeof contract, unknown>;

function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

function failure(error: CallError): CallResult<never> {
  return { ok: false, error };
}

/**
 * Validate, run, and report, for the calling session `caller` (whose login, if any, is the one
 * that counts). Never throws: every failure becomes a CallError.
 */
export async function dispatch(name: unknown, rawInput: unknown, ctx: AppContext, caller: CallerSession): Promise<CallResult<unknown>> {
  if (!isCallName(name)) {
    return failure({
      code: 'unknown_call',
      message: `There is no call named ${typeof name === 'string' ? name.slice(0, 100) : typeof name}.`,
      fieldErrors: {},
    });
  }
  // An import holds the database's one write transaction open between its steps: any other call's writes would join it.
  if (name !== 'import.progress' && !isLocked(ctx.caseDb) && importUnderWay(ctx.caseDb)) {
    return failure({ code: 'conflict', message: 'A spreadsheet import is being written; try again when it has finished.', fieldErrors: {} });
  }
  const refused = guardCall(name, ctx, caller); // issue 7: roles, login and auto-lock, enforced here for every call
  if (refused) return failure(refused);
  const spec = contract[name];
  const parsed = spec.input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const fieldErrors = fieldErrorsOf(parsed.error);
    const count = Object.keys(fieldErrors).length;
    return failure({
      code: 'invalid_input',
      message: count === 1 ? Object.values(fieldErrors)[0]![0]! : `Please correct the ${count} highlighted fields.`,
      fieldErrors,
    });
  }
  const serverPcOnly = checkServerPcOnly(name, parsed.data, caller);
  if (serverPcOnly) return failure(serverPcOnly);
  const userBefore = caller.user;
  try {
    const handler = handlers[name] as unknown as (input: unknown, ctx: AppContext, caller: CallerSession) => unknown;
    const value = await handler(parsed.data, ctx, caller);
    // The output schema is part of the contract: a handler that breaks it is a bug, caught here.
    const output = spec.output.parse(value);
    // issue 7: the audit log is written here only (failed logins: ./login.ts), in the name of who was logged in before (or after, for a login).
    recordAudit(ctx, name, parsed.data, output, caller.user ?? userBefore, caller.device);
    closeIfNobodyLoggedIn(ctx); // after logout or lock, an encrypted database closes
    return { ok: true, value: output };
  } catch (error) {
    if (error instanceof LoginRefused) {
      closeIfNobodyLoggedIn(ctx);
      return failure(error.callError);
    }
    if (error instanceof RecordError) return failure({ code: error.code, message: error.message, fieldErrors: error.fieldErrors });
    reportInternalError(name, error, ctx.errorLogFile);
    return failure({
      code: 'internal',
      message: 'Something went wrong inside NeedMap; nothing was saved. The details are in the log.',
      fieldErrors: {},
    });
  }
}
