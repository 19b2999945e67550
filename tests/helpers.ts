/** Shared test fixtures: real SQLite files in a fresh temporary folder per test. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { DatabaseOpenError } from '../src-main/db/open.ts';
import { createAppContext } from '../src-main/app-context.ts';
import { dispatch as dispatchFrom, type AppContext } from '../src-main/ipc/handlers.ts';
import type { CallInput, CallName, CallOutput, CallResult } from '../src-main/ipc/contract.ts';
import type { CallerSession } from '../src-main/ipc/sessions.ts';
import { defaultAppPaths } from '../src-main/paths.ts';
import { eq } from 'drizzle-orm';
import { hashPassword } from '../src-main/core/protect/keys.ts';
import { users } from '../src-main/db/schema.ts';

const made: string[] = [];
const contexts: AppContext[] = [];

afterEach(() => {
  for (const ctx of contexts.splice(0)) ctx.close();
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'needmap-test-'));
  made.push(dir);
  return dir;
}

/** The admin every testContext() is logged in as (created if the database has no such user). */
export const TEST_ADMIN = { username: 'test-admin', password: 'test admin password' } as const;
let testAdminHash: string | null = null;

/** Each test context's own session (like one browser tab), used by callOk and call unless another is given. */
const defaultSessions = new WeakMap<AppContext, CallerSession>();

export function sessionOf(ctx: AppContext): CallerSession {
  let session = defaultSessions.get(ctx);
  if (!session) {
    session = ctx.sessions.attach('test');
    defaultSessions.set(ctx, session);
  }
  return session;
}

/** Logs ctx's session in as TEST_ADMIN, creating that admin first if needed (the hash is computed once per run). */
export function loginTestAdmin(ctx: AppContext, session = sessionOf(ctx)): void {
  let user = ctx.caseDb.db.select().from(users).where(eq(users.username, TEST_ADMIN.username)).get();
  if (!user) {
    testAdminHash ??= hashPassword(TEST_ADMIN.password);
    user = ctx.caseDb.db
      .insert(users)
      .values({ username: TEST_ADMIN.username, displayName: 'Test Admin', role: 'admin', passwordHash: testAdminHash })
      .returning()
      .get();
  }
  session.logIn({ userId: user.id, username: user.username, role: user.role });
}

/** A context on a real database file, logged in as an admin unless `login: false` (then first-run state). */
export function testContext(dbFile = path.join(tempDir(), 'case.db'), options: { login?: boolean; key?: Buffer } = {}): AppContext {
  const ctx = createAppContext({ dbFile, paths: defaultAppPaths(), host: 'browser', ...(options.key ? { key: options.key } : {}) });
  contexts.push(ctx);
  if (options.login !== false) loginTestAdmin(ctx);
  return ctx;
}

/** `dispatch` exactly as the renderer's calls reach it, from `session` (default: the context's own session); the CallResult as is. */
export function dispatch(name: unknown, input: unknown, ctx: AppContext, session = sessionOf(ctx)): Promise<CallResult<unknown>> {
  return dispatchFrom(name, input, ctx, session);
}

/** Call through `dispatch` exactly as the renderer does; throws with the CallError if it fails. */
export async function callOk<K extends CallName>(ctx: AppContext, name: K, input: CallInput<K>, session = sessionOf(ctx)): Promise<CallOutput<K>> {
  const result = await dispatchFrom(name, input, ctx, session);
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

/** The `needmap` command, for tests that run it as administrators do. */
export const NEEDMAP_CLI = path.join(defaultAppPaths().resourcesDir, '..', 'src-main', 'cli', 'needmap.mjs');

/** The DatabaseOpenError that opening throws (any other error, or none, fails the test). */
export function openError(fn: () => unknown): DatabaseOpenError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DatabaseOpenError) return error;
    throw error;
  }
  throw new Error('expected the open to fail');
}
