/**
 * The database is checked for damage in the background after it opens (nobody waits for it at
 * login), and the screen says so when it finds damage: a demo database with one page overwritten,
 * served by the real browser host, shows the alert with the way to restore after the first login.
 */
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { completeFirstRun, runCli, screenshot, startHost, tempDatabase, type RunningHost } from './host.ts';

let host: RunningHost | null = null;
test.afterEach(async () => {
  await host?.stop();
  host = null;
});

test('a damaged database file is reported on screen after it opens, with the way to restore', async ({ page }) => {
  const dbFile = tempDatabase();
  runCli(['demo', '--db', dbFile, '--clients', '400', '--seed', '3']);
  // One page near the end of the file (records, not the schema the open reads) overwritten.
  const pageSize = 4096;
  const pages = Math.floor(fs.statSync(dbFile).size / pageSize);
  const fd = fs.openSync(dbFile, 'r+');
  fs.writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (pages - 3) * pageSize);
  fs.closeSync(fd);

  host = await startHost(dbFile);
  await page.goto(host.url);
  await completeFirstRun(page);
  const alert = page.getByRole('alert').filter({ hasText: 'The database file is damaged' });
  await expect(alert).toBeVisible({ timeout: 20_000 });
  await expect(alert).toContainText('Restore the latest backup');
  await expect(alert.getByRole('link', { name: 'Data protection → Restore' })).toBeVisible();
  await screenshot(page, 'integrity-damaged');
});
