/**
 * An encrypted database stays closed while nobody is logged in: at start without a keychain slot,
 * and after logout or auto-lock. A staff member's own password opens it again; a wrong one does not.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLocked } from '../../src-main/db/locked.ts';
import { dispatch, sessionOf } from '../helpers.ts';
import { aClient, callOk, tempDir, testContext } from '../helpers.ts';

const admin = { organisationName: 'Riverside Advice', username: 'jo.admin', displayName: 'Jo', password: 'a long admin passphrase' };

describe('the locked database', () => {
  it('starts locked after a restart and opens only with a staff password', async () => {
    const dbFile = path.join(tempDir(), 'case.db');
    const first = testContext(dbFile, { login: false });
    expect((await callOk(first, 'auth.setupAdmin', admin)).encrypted).toBe(true);
    await callOk(first, 'clients.create', { client: aClient });
    first.caseDb.close();
    expect(fs.readFileSync(dbFile).subarray(0, 15).toString()).not.toBe('SQLite format 3');

    // A restart: no key anywhere, so the database is not even opened.
    const ctx = testContext(dbFile, { login: false });
    expect(isLocked(ctx.caseDb)).toBe(true);
    expect(await callOk(ctx, 'auth.status', {})).toMatchObject({ needsSetup: false, session: null, encrypted: true });
    expect(await dispatch('clients.search', {}, ctx)).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'login-required' } });
    expect(await dispatch('auth.setupAdmin', admin, ctx)).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const wrong = await dispatch('auth.login', { username: admin.username, password: 'not the password at all' }, ctx);
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid_input', fieldErrors: { password: [expect.stringMatching(/do not match/)] } } });
    expect(isLocked(ctx.caseDb)).toBe(true);

    await callOk(ctx, 'auth.login', { username: admin.username, password: admin.password });
    expect(isLocked(ctx.caseDb)).toBe(false);
    expect((await callOk(ctx, 'clients.search', {})).total).toBe(1);

    // Logging out closes it again and drops the key from memory.
    await callOk(ctx, 'auth.logout', {});
    expect(isLocked(ctx.caseDb)).toBe(true);
    expect(ctx.dataKey ?? null).toBeNull();
    await callOk(ctx, 'auth.login', { username: admin.username, password: admin.password });
    expect((await callOk(ctx, 'clients.search', {})).total).toBe(1);
  });

  it('auto-lock closes an idle encrypted database', async () => {
    const ctx = testContext(path.join(tempDir(), 'case.db'), { login: false });
    await callOk(ctx, 'auth.setupAdmin', admin);
    sessionOf(ctx).lastActivity = Date.now() - 11 * 60_000; // idle past the default 10 minutes
    expect(await dispatch('clients.search', {}, ctx)).toMatchObject({ ok: false, error: { reason: 'login-required' } });
    expect(isLocked(ctx.caseDb)).toBe(true);
    expect(await callOk(ctx, 'auth.status', {})).toMatchObject({ session: null, encrypted: true });
  });
});
