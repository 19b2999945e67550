import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { dispatch, sessionOf } from '../helpers.ts';
import { minimumRole } from '../../src-main/ipc/permissions.ts';
import { callOk, testContext, NEEDMAP_CLI } from '../helpers.ts';
import { clientWithHistory, distinctive } from './fixtures.ts';

const cli = NEEDMAP_CLI;
const auditVerify = (file: string) =>
  spawnSync(process.execPath, [cli, 'audit', 'verify', '--db', file], { encoding: 'utf8', env: { ...process.env, NEEDMAP_DB_KEY: '' } });

describe('roles, enforced by dispatch', () => {
  it("refuses a caseworker's export, report and admin calls, and allows records", async () => {
    const ctx = testContext();
    await callOk(ctx, 'users.create', { username: 'casey', displayName: 'Casey Worker', role: 'caseworker', password: 'kettle lamp 1234' });
    await callOk(ctx, 'auth.logout', {});
    await callOk(ctx, 'auth.login', { username: 'casey', password: 'kettle lamp 1234' });
    for (const [name, input] of [
      ['bundle.export', { from: '2026-01', to: '2026-02' }],
      ['bundle.preview', { from: '2026-01', to: '2026-02' }],
      ['users.list', {}],
      ['protect.eraseClient', { clientId: 1 }],
      ['protect.auditList', {}],
    ] as const) {
      const result = await dispatch(name, input, ctx);
      expect(result, name).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'role' } });
    }
    expect(minimumRole('reports.need')).toBe('manager');
    // The sector map is drawn on the Reports and Area picture screens, both a manager's.
    expect(minimumRole('map.sectorShapes')).toBe('manager');
    expect(minimumRole('clients.create')).toBe('caseworker');
    const created = await callOk(ctx, 'clients.create', { client: distinctive, confirmedNotDuplicate: true });
    expect(created.kind).toBe('created');
    const row = ctx.caseDb.sqlite.prepare('SELECT created_by FROM clients').get() as { created_by: number };
    expect(row.created_by).toBe(sessionOf(ctx).user!.userId);
  });

  it('with nobody logged in only the first-run and login calls work; wrong passwords are refused', async () => {
    const ctx = testContext(undefined, { login: false });
    expect(await dispatch('clients.search', {}, ctx)).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: 'Please log in.', reason: 'setup-required' },
    });
    expect(await dispatch('auth.setupAdmin', { organisationName: 'X', username: 'root', displayName: 'Root', password: 'short' }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', fieldErrors: { password: ['The password must be at least 10 characters long.'] } },
    });
    await callOk(ctx, 'auth.setupAdmin', { organisationName: 'X', username: 'root', displayName: 'Root', password: 'quiet meadow 42' });
    await callOk(ctx, 'auth.lock', {});
    expect(await dispatch('clients.search', {}, ctx)).toMatchObject({ ok: false, error: { reason: 'login-required' } });
    expect(await dispatch('auth.login', { username: 'root', password: 'wrong password' }, ctx)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    await callOk(ctx, 'auth.login', { username: 'ROOT', password: 'quiet meadow 42' });
    expect((await callOk(ctx, 'clients.search', {})).total).toBe(0);
  });

  it('locks after the configured inactivity', async () => {
    const ctx = testContext();
    await callOk(ctx, 'protect.settings', { autoLockMinutes: 5 });
    sessionOf(ctx).lastActivity = Date.now() - 4 * 60_000;
    await callOk(ctx, 'clients.search', {});
    sessionOf(ctx).lastActivity = Date.now() - 6 * 60_000;
    expect(await dispatch('clients.search', {}, ctx)).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: 'Please log in.', reason: 'login-required' },
    });
    expect(sessionOf(ctx).user).toBeNull();
    expect(await callOk(ctx, 'auth.status', {})).toMatchObject({ session: null, autoLockMinutes: 5 });
  });

  it('a disabled user can no longer log in, and the last admin cannot be removed', async () => {
    const ctx = testContext();
    const { id } = await callOk(ctx, 'users.create', { username: 'temp', displayName: 'Temp', role: 'manager', password: 'orange bicycle 9' });
    await callOk(ctx, 'users.disable', { id });
    expect(await dispatch('auth.login', { username: 'temp', password: 'orange bicycle 9' }, ctx)).toMatchObject({ ok: false });
    expect(await dispatch('users.setRole', { id: sessionOf(ctx).user!.userId, role: 'manager' }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });
});

describe('audit log', () => {
  it('records views, changes and logins in a hash chain that `needmap audit verify` checks', async () => {
    const ctx = testContext();
    const c = await clientWithHistory(ctx, distinctive, 'note');
    await callOk(ctx, 'clients.get', { id: c.id });
    await dispatch('auth.login', { username: 'test-admin', password: 'wrong one here' }, ctx);
    const list = await callOk(ctx, 'protect.auditList', {});
    expect(list.entries.map((e) => e.action).reverse()).toEqual(['client.create', 'contact.record', 'issue.status', 'client.view', 'auth.loginFailed']);
    expect(list.entries.some((e) => JSON.stringify(e).includes(distinctive.lastName))).toBe(false);
    expect(() => ctx.caseDb.sqlite.prepare("UPDATE audit_log SET action = 'x' WHERE id = 2").run()).toThrow(/cannot be changed/);
    expect(await callOk(ctx, 'protect.auditVerify', {})).toMatchObject({ ok: true, entries: 6 });
    const file = ctx.caseDb.file;
    ctx.caseDb.close();

    const intact = auditVerify(file);
    expect(intact.stdout).toMatch(/Audit log intact: 6 entries/);
    expect(intact.status).toBe(0);

    // Someone with the file and the key bypasses the app's triggers and edits entry 2.
    const raw = new Database(file);
    raw.exec('DROP TRIGGER audit_log_no_update');
    raw.prepare("UPDATE audit_log SET target = 'client:999' WHERE id = 2").run();
    raw.close();
    const edited = auditVerify(file);
    expect(edited.status).toBe(1);
    expect(edited.stdout).toMatch(/BROKEN at entry 2: its content does not match its hash/);

    const raw2 = new Database(file);
    raw2.exec('DROP TRIGGER audit_log_no_delete');
    raw2.prepare("UPDATE audit_log SET target = 'client:1' WHERE id = 2").run();
    raw2.prepare('DELETE FROM audit_log WHERE id = 3').run();
    raw2.close();
    const gap = auditVerify(file);
    expect(gap.status).toBe(1);
    expect(gap.stdout).toMatch(/BROKEN at entry 4: entry 3 is missing/);
  });
});
