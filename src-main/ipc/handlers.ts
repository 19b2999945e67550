/**
 * Every call's implementation, gathered from one file per feature in ./handlers/, and
 * `dispatch`, the one entry point both transports (Electron IPC and the browser host) use: it
 * validates the input with the call's zod schema, runs the handler, checks the output against
 * the contract and turns any failure into a structured CallError.
 */
import { z } from 'zod';
import { RecordError } from '../db/records.ts';
import { contract, isCallName, type CallError, type CallResult } from './contract.ts';
import type { AppContext } from './context.ts';
import { recordingHandlers } from './handlers/recording.ts';
import { bundleHandlers } from './handlers/bundle.ts';
import { geoHandlers } from './handlers/geo.ts';
import { areaHandlers } from './handlers/area.ts';
import { reportsHandlers } from './handlers/reports.ts';
import { mapHandlers } from './handlers/map.ts';
import { protectHandlers } from './handlers/protect.ts';
import { recordAudit } from './audit.ts';
import { closeIfNobodyLoggedIn, guardCall } from './permissions.ts';

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

/** Validate, run, and report. Never throws: every failure becomes a CallError. */
export async function dispatch(name: unknown, rawInput: unknown, ctx: AppContext): Promise<CallResult<unknown>> {
  if (!isCallName(name)) {
    return failure({ code: 'unknown_call', message: `There is no call named ${String(name)}.`, fieldErrors: {} });
  }
  const refused = guardCall(name, ctx); // issue 7: roles, login and auto-lock, enforced here for every call
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
  try {
    const handler = handlers[name] as unknown as (input: unknown, ctx: AppContext) => unknown;
    const value = await handler(parsed.data, ctx);
    // The output schema is part of the contract: a handler that breaks it is a bug, caught here.
    const output = spec.output.parse(value);
    recordAudit(ctx, name, parsed.data, { ok: true, value: output }); // issue 7: the audit log is written here only
    closeIfNobodyLoggedIn(ctx); // after logout or lock, an encrypted database closes
    return { ok: true, value: output };
  } catch (error) {
    if (error instanceof RecordError) {
      recordAudit(ctx, name, parsed.data, { ok: false }); // failed logins are audited too
      return failure({ code: error.code, message: error.message, fieldErrors: error.fieldErrors });
    }
    console.error(`[needmap] ${name} failed:`, error);
    return failure({
      code: 'internal',
      message: 'Something went wrong inside NeedMap; nothing was saved. The details are in the log.',
      fieldErrors: {},
    });
  }
}
