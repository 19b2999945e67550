/**
 * The app's integrity check runs in the background (db/integrity.ts): opening a large encrypted
 * file does not wait for quick_check, and a damaged file is still found — reported by auth.status
 * (which the screen shows) with the way to restore — while command-line opens still refuse it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAppContext } from '../../src-main/app-context.ts';
import { generateDataKey } from '../../src-main/core/protect/keys.ts';
import { checkIntegrityInBackground, integrityCheckSettled, integrityStatus } from '../../src-main/db/integrity.ts';
import { openCaseDatabase } from '../../src-main/db/open.ts';
import type { AppContext } from '../../src-main/ipc/handlers.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { callOk, openError, tempDir, testContext } from '../helpers.ts';
import { clientWithHistory, distinctive } from './fixtures.ts';

const paths = defaultAppPaths();

/**
 * A database with enough records to span many pages, closed with everything in the main file, and
 * copied to a new name: this process has not checked that one yet (checks are once per file).
 */
async function filledFile(key: Buffer | undefined): Promise<string> {
  const dir = tempDir();
  const file = path.join(dir, 'made.db');
  const ctx = testContext(file, key ? { key } : {});
  for (let i = 0; i < 60; i++) await clientWithHistory(ctx, { ...distinctive, firstName: `N${i}`, externalId: `E${i}` }, 'n'.repeat(800));
  ctx.caseDb.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  ctx.close();
  const copy = path.join(dir, 'case.db');
  fs.copyFileSync(file, copy);
  return copy;
}

/** Overwrites one page near the end of the file (record pages, not the schema the open reads). */
function damagePage(file: string): void {
  const pageSize = 4096;
  const pages = Math.floor(fs.statSync(file).size / pageSize);
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (pages - 3) * pageSize);
  fs.closeSync(fd);
}

function appContext(file: string, key: Buffer | undefined): AppContext {
  return createAppContext({ dbFile: file, paths, host: 'browser', integrityCheck: 'in-background', ...(key ? { key } : {}) });
}

describe('the background integrity check', () => {
  for (const encrypted of [false, true]) {
    it(`finds a damaged ${encrypted ? 'encrypted' : 'plain'} file after opening it, and auth.status says so with the way to restore`, async () => {
      const key = encrypted ? generateDataKey() : undefined;
      const file = await filledFile(key);
      damagePage(file);
      // A command-line open checks first, and refuses (a copy: this process would not check the same file twice).
      const cliCopy = `${file}.cli.db`;
      fs.copyFileSync(file, cliCopy);
      expect(openError(() => openCaseDatabase(cliCopy, { migrationsDir: paths.migrationsDir, ...(key ? { key } : {}) })).reason).toBe('corrupt');

      const ctx = appContext(file, key);
      try {
        expect(integrityStatus(file).state).toBe('checking');
        await checkIntegrityInBackground(file, ctx.caseDb.sqlite);
        const status = await callOk(ctx, 'auth.status', {});
        expect(status.integrity.state).toBe('damaged');
        expect(status.integrity.message).toMatch(/is damaged [\s\S]*Restore the latest backup/);
      } finally {
        ctx.close();
      }
    });
  }

  it('lets first-run setup encrypt a new database only once the check has closed its connection', async () => {
    const file = path.join(tempDir(), 'case.db');
    const ctx = appContext(file, undefined);
    try {
      // Set up at once, while the check of the new (plain) file is still under way: encrypting
      // beside its connection would fail ("database is locked"), and a check that opened the file
      // after it was encrypted would call it damaged.
      expect(integrityStatus(file).state).toBe('checking');
      await callOk(ctx, 'auth.setupAdmin', { organisationName: 'X', username: 'root', displayName: 'Root', password: 'quiet meadow 42' });
      expect(fs.readFileSync(file).subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3');
      await integrityCheckSettled(file);
      expect((await callOk(ctx, 'auth.status', {})).integrity).toEqual({ state: 'ok', message: null });
    } finally {
      ctx.close();
    }
  });

  it('reports an intact encrypted file as ok, once per process', async () => {
    const key = generateDataKey();
    const file = await filledFile(key);
    const ctx = appContext(file, key);
    try {
      await checkIntegrityInBackground(file, ctx.caseDb.sqlite);
      expect((await callOk(ctx, 'auth.status', {})).integrity).toEqual({ state: 'ok', message: null });
    } finally {
      ctx.close();
    }
    // Opened again in this process (a re-login after a lock): not checked again.
    const again = appContext(file, key);
    try {
      expect(integrityStatus(file).state).toBe('ok');
    } finally {
      again.close();
    }
  });
});
