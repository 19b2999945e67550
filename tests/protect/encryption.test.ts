import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCaseDatabase } from '../../src-main/db/open.ts';
import { keySlotsPath, readKeySlots, unlockWithSecret } from '../../src-main/db/key-slots.ts';
import { dispatch, sessionOf } from '../helpers.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { callOk, tempDir, testContext, NEEDMAP_CLI, openError } from '../helpers.ts';
import { bytesOf, clientWithHistory, contains, distinctive, distinctiveNote } from './fixtures.ts';

const migrationsDir = defaultAppPaths().migrationsDir;
const cli = NEEDMAP_CLI;
const needmap = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NEEDMAP_DB_KEY: '', ...env } });
const admin = { organisationName: 'Test Advice', username: 'alex', displayName: 'Alex Admin', password: 'a long admin password' };

describe('encryption at rest', () => {
  it('first-run setup encrypts a new database: no SQLite header, no client details in its bytes', async () => {
    const file = path.join(tempDir(), 'case.db');
    const ctx = testContext(file, { login: false });
    expect(await callOk(ctx, 'auth.status', {})).toMatchObject({ needsSetup: true, encrypted: false, session: null });
    const setup = await callOk(ctx, 'auth.setupAdmin', admin);
    expect(setup).toMatchObject({ encrypted: true, session: { username: 'alex', role: 'admin' } });
    expect(await callOk(ctx, 'auth.status', {})).toMatchObject({ needsSetup: false, encrypted: true, plainReason: null });
    await clientWithHistory(ctx, distinctive, distinctiveNote);
    const bytes = bytesOf(file, `${file}-wal`);
    expect(bytes.subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0');
    expect(contains(bytes, 'SQLite format 3')).toBe(false);
    for (const value of [distinctive.lastName, distinctive.firstName, distinctive.email, distinctiveNote]) expect(contains(bytes, value)).toBe(false);
    // The key slots hold no key in clear, and the admin's password unlocks the data key.
    const slots = readKeySlots(file)!;
    expect(slots.slots.map((s) => [s.type, s.label])).toEqual([['user', 'alex']]);
    ctx.caseDb.close();
    const key = unlockWithSecret(file, admin.password, 'alex');
    expect(key).not.toBeNull();
    expect(fs.readFileSync(keySlotsPath(file), 'utf8')).not.toContain(key!.toString('hex'));
    expect(unlockWithSecret(file, 'not the password', 'alex')).toBeNull();
    const reopened = openCaseDatabase(file, { migrationsDir, key: key! });
    expect((reopened.sqlite.prepare('SELECT last_name FROM clients').get() as { last_name: string }).last_name).toBe(distinctive.lastName);
    reopened.close();
  });

  it('refuses a wrong key and a missing key clearly, never as a crash', async () => {
    const file = path.join(tempDir(), 'case.db');
    const ctx = testContext(file, { login: false });
    await callOk(ctx, 'auth.setupAdmin', admin);
    ctx.caseDb.close();
    const wrong = openError(() => openCaseDatabase(file, { migrationsDir, key: Buffer.alloc(32, 7) }));
    expect(wrong.reason).toBe('wrong-key');
    expect(wrong.message).toMatch(/could not be opened with this key/);
    expect(openError(() => openCaseDatabase(file, { migrationsDir })).reason).toBe('not-a-database');

    const noKey = needmap({}, 'audit', 'verify', '--db', file);
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toMatch(/is encrypted: set NEEDMAP_DB_KEY/);
    const wrongPass = needmap({ NEEDMAP_DB_KEY: 'a wrong passphrase' }, 'audit', 'verify', '--db', file);
    expect(wrongPass.status).toBe(1);
    expect(wrongPass.stderr).toMatch(/does not open any key slot/);
    const wrongHex = needmap({ NEEDMAP_DB_KEY: 'ab'.repeat(32) }, 'audit', 'verify', '--db', file);
    expect(wrongHex.status).toBe(1);
    expect(wrongHex.stderr).toMatch(/could not be opened with this key/);
    // Any staff password opens it, like a LUKS slot.
    const ok = needmap({ NEEDMAP_DB_KEY: admin.password }, 'audit', 'verify', '--db', file);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
  });

  it('needmap demo: encrypted with NEEDMAP_DB_KEY, plain (and says so) without', () => {
    const dir = tempDir();
    const enc = needmap({ NEEDMAP_DB_KEY: 'demo passphrase 123' }, 'demo', '--db', path.join(dir, 'enc.db'), '--clients', '50', '--end', '2026-10');
    expect(enc.status).toBe(0);
    expect(enc.stdout).toMatch(/Encrypted with the key from NEEDMAP_DB_KEY/);
    expect(contains(bytesOf(path.join(dir, 'enc.db')), 'SQLite format 3')).toBe(false);
    const plain = needmap({}, 'demo', '--db', path.join(dir, 'plain.db'), '--clients', '50', '--end', '2026-10');
    expect(plain.stdout).toMatch(/Not encrypted: NEEDMAP_DB_KEY is not set/);
    expect(fs.readFileSync(path.join(dir, 'plain.db')).subarray(0, 15).toString('latin1')).toBe('SQLite format 3');
    const hexKey = 'c0ffee'.repeat(10) + 'c0ff';
    const hex = needmap({ NEEDMAP_DB_KEY: hexKey }, 'demo', '--db', path.join(dir, 'hex.db'), '--clients', '20', '--end', '2026-10');
    expect(hex.status).toBe(0);
    const opened = openCaseDatabase(path.join(dir, 'hex.db'), { migrationsDir, key: Buffer.from(hexKey, 'hex') });
    expect((opened.sqlite.prepare('SELECT count(*) AS n FROM clients').get() as { n: number }).n).toBe(20);
    opened.close();
  });

  it('a plain database that already holds records stays plain at setup, and says so', async () => {
    const ctx = testContext(undefined, { login: false });
    sessionOf(ctx).logIn({ userId: 0, username: 'seed', role: 'admin' }); // only to seed one client before setup
    await callOk(ctx, 'clients.create', { client: { ...distinctive }, confirmedNotDuplicate: true });
    sessionOf(ctx).logOut();
    const setup = await callOk(ctx, 'auth.setupAdmin', admin);
    expect(setup.encrypted).toBe(false);
    const status = await callOk(ctx, 'auth.status', {});
    expect(status.encrypted).toBe(false);
    expect(status.plainReason).toMatch(/stays plain/);
    expect(await dispatch('auth.setupAdmin', admin, ctx)).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });
});
