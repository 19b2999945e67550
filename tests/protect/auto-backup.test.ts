import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { dailyBackupDue } from '../../src-main/core/protect/backup-schedule.ts';
import { generateDataKey } from '../../src-main/core/protect/keys.ts';
import { backupOnClose, DAILY_CHECK_INTERVAL_MS, maybeDailyBackup, startDailyBackups } from '../../src-main/db/protect/auto-backup.ts';
import { listBackups, previewBackup } from '../../src-main/db/protect/backup.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { callOk, tempDir, testContext } from '../helpers.ts';
import { clientWithHistory, distinctive } from './fixtures.ts';

const migrationsDir = defaultAppPaths().migrationsDir;

function logged() {
  const lines: string[] = [];
  return { lines, log: (line: string) => lines.push(line) };
}

describe('when the daily backup is due', () => {
  it('is due with no backup, across a local day boundary, or after 24 hours; not twice in a day', () => {
    const morning = new Date(2026, 2, 3, 9, 0);
    expect(dailyBackupDue(null, morning)).toBe(true);
    expect(dailyBackupDue(new Date(2026, 2, 3, 8, 0), morning)).toBe(false);
    expect(dailyBackupDue(new Date(2026, 2, 2, 23, 30), morning)).toBe(true);
    expect(dailyBackupDue(new Date(2026, 2, 1, 9, 30), morning)).toBe(true);
  });
});

describe('automatic backups', () => {
  it('daily: one per day into the configured folder, keeping the newest N, encrypted like the source', async () => {
    const key = generateDataKey();
    const ctx = testContext(path.join(tempDir(), 'case.db'), { key });
    await clientWithHistory(ctx, distinctive, 'note');
    const dir = path.join(tempDir(), 'usb');
    await callOk(ctx, 'protect.settings', { backupDir: dir, backupKeep: 2 });
    const { lines, log } = logged();

    const day1 = new Date(2026, 2, 3, 9, 0);
    expect(maybeDailyBackup(ctx, { now: day1, log })).toMatchObject({ kind: 'made' });
    expect(maybeDailyBackup(ctx, { now: new Date(2026, 2, 3, 17, 0), log })).toEqual({ kind: 'skipped', reason: 'not-due' });
    expect(maybeDailyBackup(ctx, { now: new Date(2026, 2, 4, 8, 0), log })).toMatchObject({ kind: 'made', removed: [] });
    const third = maybeDailyBackup(ctx, { now: new Date(2026, 2, 6, 8, 0), log });
    expect(third).toMatchObject({ kind: 'made' });
    expect(third.kind === 'made' && third.removed).toHaveLength(1);

    const kept = listBackups(dir);
    expect(kept).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('Automatic backup (daily)'))).toHaveLength(3);
    const newest = kept[0]!.file;
    expect(fs.readFileSync(newest).subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3');
    expect(previewBackup(newest, { migrationsDir, key })).toMatchObject({ clients: 1, contacts: 1, encrypted: true });
  });

  it('on close: a backup after changes, none when nothing changed, and none (said in the log) while locked', async () => {
    const key = generateDataKey();
    const ctx = testContext(path.join(tempDir(), 'case.db'), { key });
    await clientWithHistory(ctx, distinctive, 'note');
    const { lines, log } = logged();

    const first = backupOnClose(ctx, { log });
    expect(first).toMatchObject({ kind: 'made' });
    expect(backupOnClose(ctx, { log })).toEqual({ kind: 'skipped', reason: 'unchanged' });
    await new Promise((r) => setTimeout(r, 5)); // the next change is later than the backup's time stamp
    await clientWithHistory(ctx, { ...distinctive, firstName: 'Later', externalId: 'LATER1' }, 'later');
    const second = backupOnClose(ctx, { log });
    expect(second).toMatchObject({ kind: 'made' });
    const dir = path.dirname(second.kind === 'made' ? second.backup.file : '');
    expect(previewBackup(path.join(dir, listBackups(dir)[0]!.name), { migrationsDir, key }).clients).toBe(2);

    // Logging out closes the encrypted database: nothing can be read, so no backup, and the log says why.
    await callOk(ctx, 'auth.logout', {});
    expect(backupOnClose(ctx, { log })).toEqual({ kind: 'skipped', reason: 'locked' });
    expect(lines.at(-1)).toMatch(/locked \(nobody is logged in\)/);
    expect(listBackups(dir)).toHaveLength(2);
  });

  it('a failing backup folder is logged, not thrown', async () => {
    const ctx = testContext();
    const blocker = path.join(tempDir(), 'not-a-folder');
    fs.writeFileSync(blocker, 'x');
    await callOk(ctx, 'protect.settings', { backupDir: path.join(blocker, 'backups') });
    const { lines, log } = logged();
    expect(maybeDailyBackup(ctx, { log })).toMatchObject({ kind: 'failed' });
    expect(lines[0]).toMatch(/^Automatic backup \(daily\) FAILED: /);
  });

  it('the hourly check makes the daily backup while the app runs, and stops when asked', async () => {
    const ctx = testContext();
    const dir = path.join(path.dirname(ctx.caseDb.file), 'backups');
    const { lines, log } = logged();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const stop = startDailyBackups(ctx, { log });
      expect(listBackups(dir)).toHaveLength(0);
      vi.advanceTimersByTime(DAILY_CHECK_INTERVAL_MS);
      expect(listBackups(dir)).toHaveLength(1);
      vi.advanceTimersByTime(DAILY_CHECK_INTERVAL_MS); // same day: not due again
      expect(listBackups(dir)).toHaveLength(1);
      stop();
      expect(vi.getTimerCount()).toBe(0);
      expect(lines).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a login makes the daily backup when it is due', async () => {
    const ctx = testContext();
    const { username, password } = { username: 'casey', password: 'kettle lamp 1234' };
    await callOk(ctx, 'users.create', { username, displayName: 'Casey', role: 'caseworker', password });
    await callOk(ctx, 'auth.logout', {});
    const dir = path.join(path.dirname(ctx.caseDb.file), 'backups');
    expect(listBackups(dir)).toHaveLength(0);
    await callOk(ctx, 'auth.login', { username, password });
    expect(listBackups(dir)).toHaveLength(1);
    await callOk(ctx, 'auth.logout', {});
    await callOk(ctx, 'auth.login', { username, password });
    expect(listBackups(dir)).toHaveLength(1);
  });
});
