/**
 * Login state per session, not per process (issue 12): two sessions log in and out on their own;
 * auto-lock ends each idle session's login, and the encrypted database closes only when nobody is
 * logged in anywhere; disabling an account or changing its role reaches all its sessions; the
 * store keeps no secret in clear and stays bounded; housekeeping chains other programs' journal entries.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLocked } from '../../src-main/db/locked.ts';
import { journalAudit, pendingJournalEntries } from '../../src-main/db/protect/audit-journal.ts';
import { housekeeping } from '../../src-main/ipc/housekeeping.ts';
import { MAX_SESSIONS, SessionStore } from '../../src-main/ipc/sessions.ts';
import { callOk, dispatch, sessionOf, tempDir, testContext } from '../helpers.ts';

const admin = { organisationName: 'Riverside Advice', username: 'jo.admin', displayName: 'Jo', password: 'a long admin passphrase' };
const casey = { username: 'casey', displayName: 'Casey', role: 'caseworker' as const, password: 'kettle lamp 1234' };

describe('sessions', () => {
  it('log in and out on their own; auto-lock is per session; the database closes when nobody is logged in', async () => {
    const ctx = testContext(path.join(tempDir(), 'case.db'), { login: false });
    const tabA = sessionOf(ctx);
    const tabB = ctx.sessions.attach('browser');
    await callOk(ctx, 'auth.setupAdmin', admin, tabA);
    await callOk(ctx, 'users.create', casey, tabA);
    expect(await dispatch('clients.search', {}, ctx, tabB)).toMatchObject({ ok: false, error: { reason: 'login-required' } });
    await callOk(ctx, 'auth.login', { username: casey.username, password: casey.password }, tabB);
    expect(await callOk(ctx, 'auth.status', {}, tabA)).toMatchObject({ session: { username: admin.username, role: 'admin' } });
    expect(await callOk(ctx, 'auth.status', {}, tabB)).toMatchObject({ session: { username: casey.username, role: 'caseworker' } });
    // Each is checked with its own role.
    expect(await dispatch('users.list', {}, ctx, tabB)).toMatchObject({ ok: false, error: { reason: 'role' } });
    expect((await callOk(ctx, 'users.list', {}, tabA)).users).toHaveLength(2);

    // Tab A goes idle past the auto-lock; tab B does not. Housekeeping locks A only, and the database stays open for B.
    tabA.lastActivity = Date.now() - 11 * 60_000;
    housekeeping(ctx);
    expect(tabA.user).toBeNull();
    expect(tabB.user).toMatchObject({ username: casey.username });
    expect(isLocked(ctx.caseDb)).toBe(false);
    const autoLock = ctx.caseDb.sqlite.prepare("SELECT username FROM audit_log WHERE action = 'auth.autoLock'").all();
    expect(autoLock).toEqual([{ username: admin.username }]);
    // B logs out: nobody is logged in, so the encrypted database closes and its key is dropped.
    await callOk(ctx, 'auth.logout', {}, tabB);
    expect(isLocked(ctx.caseDb)).toBe(true);
    expect(ctx.dataKey ?? null).toBeNull();
  });

  it('a role change or a disabled account reaches every session of that user', async () => {
    const ctx = testContext();
    const { id } = await callOk(ctx, 'users.create', casey);
    const [one, two] = [ctx.sessions.attach('browser'), ctx.sessions.attach('electron')];
    for (const s of [one, two]) await callOk(ctx, 'auth.login', { username: casey.username, password: casey.password }, s);
    await callOk(ctx, 'users.setRole', { id, role: 'manager' });
    expect([one.user?.role, two.user?.role]).toEqual(['manager', 'manager']);
    await callOk(ctx, 'users.disable', { id });
    expect([one.user, two.user]).toEqual([null, null]);
    expect(sessionOf(ctx).user).not.toBeNull(); // the admin who did it is still logged in
  });

  it('housekeeping chains entries other programs left in the journal while the app runs', async () => {
    const ctx = testContext();
    journalAudit(ctx.caseDb.file, { userId: null, username: 'cli:someone', action: 'backup', target: null, detail: { via: 'cli', whileInUse: true } });
    expect(pendingJournalEntries(ctx.caseDb.file)).toBe(1);
    housekeeping(ctx);
    expect(pendingJournalEntries(ctx.caseDb.file)).toBe(0);
    const last = (await callOk(ctx, 'protect.auditList', { limit: 2 })).entries.find((e) => e.action === 'backup');
    expect(last).toMatchObject({ username: 'cli:someone' });
    expect(JSON.parse(last!.detail)).toMatchObject({ whileInUse: true, happenedAt: expect.any(String) });
  });
});

describe('the session store', () => {
  it('finds a session only by its secret, keeps no secret in clear, and stays bounded', () => {
    const store = new SessionStore();
    const { session, secret } = store.open('browser');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.find(secret)).toBe(session);
    expect(store.find(secret.slice(0, -1))).toBeNull();
    expect(store.find('')).toBeNull();
    expect(JSON.stringify([...(store as unknown as { bySecretDigest: Map<string, unknown> }).bySecretDigest.keys()])).not.toContain(secret);
    session.logIn({ userId: 1, username: 'jo', role: 'admin' });
    // Filling the store drops logged-out sessions first, never the logged-in one.
    for (let i = 0; i < MAX_SESSIONS + 50; i++) store.open('browser');
    expect(store.all().length).toBeLessThanOrEqual(MAX_SESSIONS);
    expect(store.find(secret)).toBe(session);
    store.end(session);
    expect(store.find(secret)).toBeNull();
    expect(session.user).toBeNull();
  });
});
