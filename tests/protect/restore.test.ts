/**
 * Restores that forget no one (issue 12): the erasure register beside the database (client ids and
 * times only) is re-applied to a restored backup before it is used — by `needmap restore` and by
 * the app's restore (protect.restore) — and so are retention runs. The app's restore refuses while
 * someone else is logged in and makes everyone log in again; the register never erases a client
 * created after the erasure, nor touches another database.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERASED_FIRST_NAME } from '../../src-main/core/protect/erasure.ts';
import { openCaseDatabase } from '../../src-main/db/open.ts';
import { backupTo, previewBackup } from '../../src-main/db/protect/backup.ts';
import { APPLIED_SETTING, erasureRegisterFile, readErasureRegister } from '../../src-main/db/protect/erasure-register.ts';
import { isLocked } from '../../src-main/db/locked.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { callOk, dispatch, NEEDMAP_CLI, sessionOf, tempDir, testContext } from '../helpers.ts';
import { bytesOf, clientWithHistory, contains, distinctive, distinctiveNote } from './fixtures.ts';

const migrationsDir = defaultAppPaths().migrationsDir;
const needmap = (...args: string[]) => spawnSync(process.execPath, [NEEDMAP_CLI, ...args], { encoding: 'utf8', env: { ...process.env, NEEDMAP_DB_KEY: '' } });
const admin = { organisationName: 'Riverside Advice', username: 'jo.admin', displayName: 'Jo', password: 'a long admin passphrase' };

function read<T>(file: string, sql: string): T[] {
  const db = openCaseDatabase(file, { migrationsDir, readonly: true });
  try {
    return db.sqlite.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

const other = { ...distinctive, firstName: 'Keepme', lastName: 'Otherperson', externalId: 'KEEP1', email: null, phone: null, dateOfBirth: '1990-05-05' };

describe('needmap restore and the erasure register', () => {
  it('re-applies erasures and retention runs made since the backup, and says so', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'case.db');
    const ctx = testContext(file);
    const erased = await clientWithHistory(ctx, distinctive, distinctiveNote);
    const kept = await clientWithHistory(ctx, other, 'ordinary note');
    const old = await clientWithHistory(ctx, { ...other, firstName: 'Oldrecord', externalId: 'OLD1' }, 'old note', '2018-03-01');
    const backup = path.join(dir, 'backups', 'before-erasure.db');
    backupTo(ctx.caseDb, backup);

    await callOk(ctx, 'protect.eraseClient', { clientId: erased.id });
    const due = await callOk(ctx, 'protect.retentionPreview', {});
    expect(due.clients.map((c) => c.id)).toEqual([old.id]);
    await callOk(ctx, 'protect.retentionApply', { clientIds: [old.id], today: due.today });
    // The register holds ids and times only.
    const register = fs.readFileSync(erasureRegisterFile(file), 'utf8');
    expect(register).not.toContain(distinctive.lastName);
    expect(readErasureRegister(file)!.lines).toMatchObject([
      { kind: 'erasure', clientId: erased.id },
      { kind: 'retention', clientIds: [old.id] },
    ]);
    ctx.close();

    const run = needmap('restore', '--db', file, '--from', backup, '--force');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      `Erasure register: re-applied 2 erasures (clients ${erased.id}, ${old.id}); 0 already erased; 0 not in this database; 1 retention run put back in the log.`,
    );
    const rows = read<{ id: number; first_name: string; erased_at: string | null }>(file, 'SELECT id, first_name, erased_at FROM clients ORDER BY id');
    expect(rows.find((r) => r.id === erased.id)!.erased_at).not.toBeNull();
    expect(rows.find((r) => r.id === old.id)!.erased_at).not.toBeNull();
    expect(rows.find((r) => r.id === kept.id)).toMatchObject({ first_name: 'Keepme', erased_at: null });
    // Nothing of the erased person is back in the restored file, its WAL or its free pages.
    for (const value of [distinctive.lastName, distinctive.phone, distinctiveNote]) expect(contains(bytesOf(file, `${file}-wal`), value), value).toBe(false);
    expect(read(file, 'SELECT cutoff_date FROM retention_runs')).toHaveLength(1);
    const actions = read<{ action: string }>(file, 'SELECT action FROM audit_log ORDER BY id').map((a) => a.action);
    expect(actions.slice(-2)).toEqual(['erasure.reapplied', 'restore']);
    expect(needmap('audit', 'verify', '--db', file).status).toBe(0);

    // Opening it again finds nothing more to do, without reading the register's applied lines again.
    const again = testContext(file);
    expect(again.lastOpenReport!.erasures).toMatchObject({ status: 'applies', reapplied: [], linesChecked: 0 });
    again.close();
    // A damaged line the database has not had applied refuses the open rather than risk forgetting someone.
    fs.appendFileSync(erasureRegisterFile(file), '{"kind":"erasure","clientId":"not a number"}\n');
    expect(() => testContext(file)).toThrow(/line 4 is damaged/);
  });

  it('writes the register line inside the erasure: if it cannot be written, nobody is erased', async () => {
    const ctx = testContext();
    const c = await clientWithHistory(ctx, distinctive, distinctiveNote);
    fs.mkdirSync(erasureRegisterFile(ctx.caseDb.file)); // a directory where the file should be: every write fails
    const result = await dispatch('protect.eraseClient', { clientId: c.id }, ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('so nothing was erased') } });
    expect((ctx.caseDb.sqlite.prepare('SELECT erased_at FROM clients WHERE id = ?').get(c.id) as { erased_at: string | null }).erased_at).toBeNull();
  });

  it('never erases a client created after the erasure under a reused id, nor applies another database register', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'case.db');
    const ctx = testContext(file);
    await clientWithHistory(ctx, other, 'kept');
    const backup = path.join(dir, 'b.db');
    backupTo(ctx.caseDb, backup);
    const later = await clientWithHistory(ctx, distinctive, distinctiveNote);
    await callOk(ctx, 'protect.eraseClient', { clientId: later.id });
    ctx.close();
    expect(needmap('restore', '--db', file, '--from', backup, '--force').stdout).toContain('1 not in this database');

    // The restored database hands the same id to a new person, after the erasure.
    const reopened = testContext(file);
    const newcomer = await callOk(reopened, 'clients.create', { client: { ...other, firstName: 'Newcomer', externalId: 'NEW1' }, confirmedNotDuplicate: true });
    expect(newcomer).toMatchObject({ kind: 'created', id: later.id });
    // Even read from the start again (no record of how far it had got), the old line does not touch the newcomer.
    reopened.caseDb.sqlite.prepare('DELETE FROM settings WHERE key = ?').run(APPLIED_SETTING);
    reopened.close();
    const third = testContext(file);
    expect(third.lastOpenReport!.erasures).toMatchObject({ reapplied: [], linesChecked: 1, notInDatabase: 1 });
    expect(read<{ erased_at: string | null }>(file, `SELECT erased_at FROM clients WHERE id = ${later.id}`)[0]!.erased_at).toBeNull();
    third.close();

    // A brand-new database at the same path does not inherit the old one's register: it is set aside.
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    const fresh = testContext(file);
    expect(fresh.lastOpenReport!.erasures.status).toBe('other-database');
    expect(fs.existsSync(erasureRegisterFile(file))).toBe(false);
    expect(fs.readdirSync(dir).some((f) => f.startsWith('case.db.erasures.jsonl.other-'))).toBe(true);
  });
});

describe("the app's restore (protect.restore)", () => {
  it('previews, refuses while someone else is logged in, restores, re-applies erasures and makes everyone log in again', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'case.db');
    const ctx = testContext(file, { login: false });
    await callOk(ctx, 'auth.setupAdmin', admin);
    const c = await clientWithHistory(ctx, distinctive, distinctiveNote);
    const backup = (await callOk(ctx, 'protect.backupNow', {})).backup.file;
    await callOk(ctx, 'protect.eraseClient', { clientId: c.id });
    await callOk(ctx, 'users.create', { username: 'casey', displayName: 'Casey', role: 'caseworker', password: 'kettle lamp 1234' });

    // Another tab, another person.
    const otherTab = ctx.sessions.attach('test');
    await callOk(ctx, 'auth.login', { username: 'casey', password: 'kettle lamp 1234' }, otherTab);
    const preview = await callOk(ctx, 'protect.restorePreview', { file: backup });
    expect(preview).toMatchObject({ clients: 1, erasedClients: 0, erasuresToReapply: 1, newerRecordsSetAside: true, othersLoggedIn: ['casey'] });
    expect(await dispatch('protect.restore', { file: backup, replaceNewer: true }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringContaining('Someone else is using NeedMap (casey)') },
    });
    await callOk(ctx, 'auth.logout', {}, otherTab);
    expect(await dispatch('protect.restore', { file: backup }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringContaining('Replace newer records') },
    });

    const restored = await callOk(ctx, 'protect.restore', { file: backup, replaceNewer: true });
    expect(restored.erasures).toMatchObject({
      status: 'applies',
      reapplied: [c.id],
      summary: expect.stringContaining(`re-applied 1 erasure (client ${c.id})`),
    });
    expect(restored.replacedFile && fs.existsSync(restored.replacedFile)).toBe(true);
    // Everyone logs in again, to the restored database (closed again while nobody is logged in).
    expect(sessionOf(ctx).user).toBeNull();
    expect(isLocked(ctx.caseDb)).toBe(true);
    expect(await dispatch('clients.search', {}, ctx)).toMatchObject({ ok: false, error: { reason: 'login-required' } });
    // The backup predates casey's account.
    expect(await dispatch('auth.login', { username: 'casey', password: 'kettle lamp 1234' }, ctx, otherTab)).toMatchObject({ ok: false });
    await callOk(ctx, 'auth.login', { username: admin.username, password: admin.password });
    expect((await callOk(ctx, 'clients.get', { id: c.id })).client).toMatchObject({ firstName: ERASED_FIRST_NAME, phone: null });
    expect((ctx.caseDb.sqlite.prepare('SELECT erased_at FROM clients WHERE id = ?').get(c.id) as { erased_at: string | null }).erased_at).not.toBeNull();
    const log = await callOk(ctx, 'protect.auditList', { limit: 10 });
    expect(log.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['erasure.reapplied', 'restore']));
    expect((await callOk(ctx, 'protect.auditVerify', {})).ok).toBe(true);
    // The backup file itself is unchanged: a restore from it would re-apply the erasure again.
    expect(previewBackup(backup, { migrationsDir, key: ctx.dataKey!, registerOf: file }).erasuresToReapply).toBe(1);
  });
});
