import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDataKey } from '../../src-main/core/protect/keys.ts';
import { openCaseDatabase } from '../../src-main/db/open.ts';
import { backupTo, restoreDatabase, RestoreRefused } from '../../src-main/db/protect/backup.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { callOk, tempDir, testContext, openError } from '../helpers.ts';
import { clientWithHistory, distinctive } from './fixtures.ts';

const migrationsDir = defaultAppPaths().migrationsDir;
const TABLES = ['clients', 'contacts', 'client_issues', 'issue_status_events', 'users', 'audit_log', 'settings', 'report_issue_facts'];

function dump(file: string, key: Buffer): string {
  const db = openCaseDatabase(file, { migrationsDir, key, readonly: true });
  try {
    return JSON.stringify(TABLES.map((t) => db.sqlite.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()));
  } finally {
    db.close();
  }
}

describe('backups', () => {
  it('backup then restore gives identical rows, encrypted like the source; newer databases need --force', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'case.db');
    const key = generateDataKey();
    const ctx = testContext(file, { key });
    await clientWithHistory(ctx, distinctive, 'before backup');
    const backupFile = path.join(dir, 'backups', 'b1.db');
    backupTo(ctx.caseDb, backupFile);
    expect(fs.readFileSync(backupFile).subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3');
    const atBackup = dump(backupFile, key);
    // Changes after the backup make the live database newer.
    await clientWithHistory(ctx, { ...distinctive, firstName: 'After', externalId: 'AFTER1' }, 'after backup');
    ctx.caseDb.close();
    expect(dump(file, key)).not.toBe(atBackup);

    expect(() => restoreDatabase(file, backupFile, { migrationsDir, key })).toThrow(RestoreRefused);
    const restored = restoreDatabase(file, backupFile, { migrationsDir, key, force: true });
    expect(restored.preview).toMatchObject({ clients: 1, contacts: 1, issues: 2, encrypted: true });
    expect(restored.replacedFile && fs.existsSync(restored.replacedFile)).toBe(true);
    expect(dump(file, key)).toBe(atBackup);
    // The replaced database is intact aside, with the newer record.
    expect(dump(restored.replacedFile!, key)).toContain('After');
  });

  it('backupNow keeps the last N and restorePreview describes a backup', async () => {
    const ctx = testContext();
    await clientWithHistory(ctx, distinctive, 'x');
    const dir = path.join(tempDir(), 'usb');
    await callOk(ctx, 'protect.settings', { backupDir: dir, backupKeep: 2 });
    for (let i = 0; i < 3; i++) {
      await callOk(ctx, 'protect.backupNow', {});
      await new Promise((r) => setTimeout(r, 5));
    }
    const list = await callOk(ctx, 'protect.backupList', {});
    expect(list.dir).toBe(dir);
    expect(list.backups).toHaveLength(2);
    const preview = await callOk(ctx, 'protect.restorePreview', { file: list.backups[0]!.file });
    expect(preview).toMatchObject({ clients: 1, contacts: 1, issues: 2, firstContact: '2026-02-03', lastContact: '2026-02-03', encrypted: false });
    expect(preview.schemaVersion).toMatch(/^\d{4}_/);
  });
});

describe('damage and crashes', () => {
  it('a database truncated mid-file is detected at open, with the way to restore', async () => {
    for (const key of [undefined, generateDataKey()]) {
      const file = path.join(tempDir(), 'case.db');
      const ctx = testContext(file, key ? { key } : {});
      for (let i = 0; i < 40; i++) await clientWithHistory(ctx, { ...distinctive, firstName: `N${i}`, externalId: `E${i}` }, 'n'.repeat(500));
      ctx.caseDb.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      ctx.caseDb.close();
      const size = fs.statSync(file).size;
      fs.truncateSync(file, Math.floor(size / 2 / 4096) * 4096 + 1000);
      const error = openError(() => openCaseDatabase(file, { migrationsDir, ...(key ? { key } : {}) }));
      expect(error.reason).toBe('corrupt');
      expect(error.message).toMatch(/needmap restore --db/);
    }
  });

  it('killing the process during writes loses no committed record', async () => {
    const file = path.join(tempDir(), 'case.db');
    const key = generateDataKey();
    openCaseDatabase(file, { migrationsDir, key }).close();
    const writer = path.join(import.meta.dirname, 'fixtures', 'crash-writer.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', writer, file, migrationsDir, key.toString('hex')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acknowledged: number[] = [];
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', () => resolve());
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        acknowledged.push(...lines.map(Number));
        if (acknowledged.length >= 300 && !child.killed) child.kill('SIGKILL');
      });
    });
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);
    const reopened = openCaseDatabase(file, { migrationsDir, key });
    const ids = new Set((reopened.sqlite.prepare('SELECT id FROM clients').all() as { id: number }[]).map((r) => r.id));
    reopened.close();
    expect(acknowledged.filter((id) => !ids.has(id))).toEqual([]);
  });
});
