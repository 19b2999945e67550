/** Import records from a spreadsheet, step by step, in Chromium: map, match issues, check, import with progress, undo; then export every record. */
import { expect, test } from '@playwright/test';
import { MESSY_HEADER, messyRows, xlsxBytes } from '../import/sheets.ts';
import { completeFirstRun, screenshot, startHost, tempDatabase, type RunningHost } from './host.ts';

let host: RunningHost | null = null;
test.afterEach(async () => {
  await host?.stop();
  host = null;
});

test('import a messy workbook: columns, issues, the report of refused rows, import, undo; export every record', async ({ page }) => {
  host = await startHost(tempDatabase());
  await page.goto(host.url);
  await completeFirstRun(page);

  await page.getByRole('link', { name: 'Import records' }).click();
  await expect(page.getByRole('heading', { name: 'Import and export records' })).toBeVisible();
  await expect(page.getByText('None yet.')).toBeVisible();
  const bytes = await xlsxBytes([{ name: 'Clients', rows: [MESSY_HEADER, ...messyRows()] }]);
  await page
    .getByLabel('1. Spreadsheet to import (.xlsx or .csv)')
    .setInputFiles({ name: 'clients.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: bytes });

  // 2. Columns: proposed from the headers, with the first values beside them.
  await expect(page.getByRole('heading', { name: '2. Which column is which' })).toBeVisible();
  await expect(page.getByLabel('Import “Forename” as')).toHaveValue('client.firstName');
  await expect(page.getByLabel('Import “D.O.B.” as')).toHaveValue('client.dateOfBirth');
  await expect(page.getByLabel('Import “Presenting issues” as')).toHaveValue('issue.issueCode');
  await expect(page.locator('.mapping-table')).toContainText('pr1 2aa');
  // The user leaves the consent column out and gives one answer for every row instead.
  await page.getByLabel('Import “Consent” as').selectOption('ignore');
  await page.getByLabel('Field').selectOption('client.consentToRecord');
  await page.getByLabel('Value').fill('yes');
  await page.getByRole('button', { name: 'Add value' }).click();
  await page.getByLabel('Field').selectOption('client.consentDate');
  await page.getByLabel('Value').fill('01/01/2026');
  await page.getByRole('button', { name: 'Add value' }).click();
  await expect(page.locator('.defaults-list li')).toHaveCount(2);
  await expect(page.getByLabel('Import “Consent” as')).toHaveValue('ignore');
  await screenshot(page, '15-import-mapping');
  await page.getByRole('button', { name: 'Next: issues' }).click();

  // 3. Issues: each phrase once, with its match; "my cat" matches nothing until the user says what it is.
  await expect(page.getByRole('heading', { name: '3. Issues and possible duplicates' })).toBeVisible();
  const cat = page.getByTestId('phrase-row').filter({ hasText: 'my cat' });
  await expect(cat).toContainText('not matched');
  await expect(page.getByLabel('Import “Debt” as')).toHaveValue('MON-PROBLEM-DEBT');
  await page.getByLabel('Import “my cat” as').selectOption('not-an-issue');
  await expect(page.getByLabel('Import “my cat” as')).toHaveValue('not-an-issue');
  await expect(page.getByTestId('duplicate-group')).toContainText('Ann Smith');
  await screenshot(page, '16-import-issues');
  await page.getByRole('button', { name: 'Next: check' }).click();

  // 4. The dry run: what would be created, and each refused row with its column, value and reason.
  await expect(page.getByRole('heading', { name: '4. Check, then import' })).toBeVisible();
  const report = page.getByTestId('import-report');
  await expect(report).toContainText('8 rows read: 6 to import, 2 refused');
  await expect(page.getByTestId('refusal')).toHaveCount(2);
  await expect(page.getByTestId('refusal').first()).toContainText('31/02/1990');
  await expect(page.getByTestId('refusal').first()).toContainText('date of birth: 31/02/1990 is not a real date.');
  await expect(page.getByTestId('refusal').nth(1)).toContainText('contact date: 32/13/2026 is not a real date.');
  await screenshot(page, '17-import-report');

  await page.getByRole('button', { name: 'Import 6 rows' }).click();
  await expect(page.getByRole('heading', { name: 'Imported as import 1' })).toBeVisible();
  await expect(page.getByTestId('import-report')).toContainText('Created: 5 clients');
  await expect(page.getByTestId('batch-row')).toHaveCount(1);

  // The clients are there like any others.
  await page.getByRole('link', { name: 'Clients', exact: true }).click();
  await expect(page.getByRole('link', { name: /Smith, Anna|Anna Smith/ })).toBeVisible();

  // Export every record (audited), then undo the import whole.
  await page.getByRole('link', { name: 'Import records' }).click();
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export records' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^needmap-records-\d{4}-\d{2}-\d{2}\.xlsx$/);
  await expect(page.getByText(/Exported 5 clients as needmap-records-/)).toBeVisible();

  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Undo import 1' }).click();
  await expect(page.getByText('Import 1 undone: 5 clients and 5 contacts removed.')).toBeVisible();
  await expect(page.getByTestId('batch-row')).toContainText('Undone');
  await page.getByRole('link', { name: 'Clients', exact: true }).click();
  await expect(page.getByRole('link', { name: /Smith, Anna|Anna Smith/ })).toHaveCount(0);
});
