/** Shared test fixtures: real SQLite files in a fresh temporary folder per test. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { createAppContext } from '../src-main/app-context.ts';
import { dispatch, type AppContext } from '../src-main/ipc/handlers.ts';
import type { CallInput, CallName, CallOutput } from '../src-main/ipc/contract.ts';
import { defaultAppPaths } from '../src-main/paths.ts';

const made: string[] = [];
const contexts: AppContext[] = [];

afterEach(() => {
  for (const ctx of contexts.splice(0)) ctx.caseDb.close();
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'needmap-test-'));
  made.push(dir);
  return dir;
}

export function testContext(dbFile = path.join(tempDir(), 'case.db')): AppContext {
  const ctx = createAppContext({ dbFile, paths: defaultAppPaths(), host: 'browser' });
  contexts.push(ctx);
  return ctx;
}

/** Call through `dispatch` exactly as the renderer does; throws with the CallError if it fails. */
export async function callOk<K extends CallName>(ctx: AppContext, name: K, input: CallInput<K>): Promise<CallOutput<K>> {
  const result = await dispatch(name, input, ctx);
  if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
  return result.value as CallOutput<K>;
}

export const aClient = {
  firstName: 'Maria',
  lastName: 'Nowak',
  dateOfBirth: '1984-03-12',
  postcode: 'SE13 6AA',
  consentToRecord: true,
  consentDate: '2026-01-10',
} as const;
