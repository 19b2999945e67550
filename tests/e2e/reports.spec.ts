/**
 * Reports, end to end in real Chromium against the real browser host on a demo database: change
 * the filters and see charts and tables follow (checked against the same call made directly),
 * download a CSV and a chart PNG and check them, and open every view including the offline map.
 */
import { expect, test } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { apiCall, savedBytes, savedText, tableRows } from './helpers.ts';
import { completeFirstRun, runCli, screenshot, startHost, tempDatabase, type RunningHost } from './host.ts';

let host: RunningHost | null = null;
test.afterEach(async () => {
  await host?.stop();
  host = null;
});

interface NeedReport {
  totals: { people: number; presentations: number };
  topIssues: { issueName: string; people: number; presentations: number }[];
  categories: { category: string; categoryName: string; people: number; presentations: number }[];
}

test('reports follow the filters, download CSV and PNG, and draw the sector map offline', async ({ page }) => {
  const db = tempDatabase();
  runCli(['demo', '--db', db, '--clients', '600', '--seed', '5', '--end', '2026-10']);
  host = await startHost(db);
  await page.goto(host.url);
  await completeFirstRun(page);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Reports: Need');
  const topIssues = page.getByTestId('panel-top-issues');
  const topTable = topIssues.getByRole('table');
  await expect(topTable.locator('tbody tr').first()).toBeVisible();

  // The default period is the last twelve months with data.
  await expect(page.getByLabel('From', { exact: true })).toHaveValue('2025-11-01');
  await expect(page.getByLabel('To', { exact: true })).toHaveValue('2026-10-31');
  const canvas = topIssues.locator('canvas');
  const chartBefore = await canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL());
  const rowsBefore = await tableRows(topTable);
  await screenshot(page, '10-reports-need');

  // Choose the busiest category and a half-year period.
  const wide = await apiCall<NeedReport>(page, 'reports.need', { filter: { from: '2026-01-01', to: '2026-06-30' } });
  const busiest = [...wide.categories].sort((a, b) => b.people - a.people)[0]!;
  await page.getByLabel('From', { exact: true }).fill('2026-01-01');
  await page.getByLabel('To', { exact: true }).fill('2026-06-30');
  await page.getByLabel('Category', { exact: true }).selectOption({ label: busiest.categoryName });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.locator('.filter-summary')).toContainText(`1 Jan 2026 to 30 Jun 2026 · ${busiest.categoryName}`);

  const expected = await apiCall<NeedReport>(page, 'reports.need', {
    filter: { from: '2026-01-01', to: '2026-06-30', category: busiest.category },
  });
  const expectedRows = expected.topIssues.map((i) => [i.issueName, busiest.categoryName, String(i.people), String(i.presentations)]);
  await expect.poll(() => tableRows(topTable)).toEqual(expectedRows);
  expect(expectedRows).not.toEqual(rowsBefore);
  // The chart was redrawn with the new figures too.
  await expect.poll(() => canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL())).not.toBe(chartBefore);
  // Issues by category now holds only the chosen category, with the call's figures.
  await expect
    .poll(() => tableRows(page.getByTestId('panel-categories').getByRole('table')))
    .toEqual([[busiest.categoryName, String(busiest.people), String(busiest.presentations)]]);
  // The trend covers 24 months, with the year before alongside.
  await expect(page.getByTestId('panel-trend').getByRole('table').locator('tbody tr')).toHaveCount(24);

  // CSV download: the header and the rows are the table's.
  const csvDownload = page.waitForEvent('download');
  await topIssues.getByRole('button', { name: /Download CSV/ }).click();
  const csv = await csvDownload;
  expect(csv.suggestedFilename()).toBe('needmap-top-issues.csv');
  const records = parse(await savedText(csv)) as string[][];
  expect(records[0]).toEqual(['Issue', 'Category', 'People', 'Presentations']);
  expect(records.slice(1)).toEqual(expectedRows);

  // PNG export of one chart.
  const pngDownload = page.waitForEvent('download');
  await topIssues.getByRole('button', { name: /Save chart as PNG/ }).click();
  const png = await savedBytes(await pngDownload);
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.length).toBeGreaterThan(2000);
  await screenshot(page, '10b-reports-need-filtered');

  // Where: the filter is kept; the heat table matches the call, unknown visibly last.
  await page.getByRole('link', { name: 'Where' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Reports: Where');
  await expect(page.getByLabel('From', { exact: true })).toHaveValue('2026-01-01');
  const where = await apiCall<{ sectors: { sector: string; people: number; known: boolean; residents: number | null }[] }>(page, 'reports.where', {
    filter: { from: '2026-01-01', to: '2026-06-30', category: busiest.category },
  });
  const heat = page.locator('.heat-table');
  await expect(heat.locator('tbody tr')).toHaveCount(where.sectors.length);
  const heatRows = await tableRows(heat);
  expect(heatRows.map((r) => Number(r[1])).reduce((a, b) => a + b, 0)).toBe(where.sectors.reduce((a, s) => a + s.people, 0));
  // Residents and people per 1,000 residents beside each count.
  const withResidents = where.sectors.find((s) => s.residents)!;
  const shownRow = heatRows.find((r) => r[0] === withResidents.sector)!;
  expect(Number(shownRow[2]!.replace(/,/g, ''))).toBe(withResidents.residents);
  expect(Number(shownRow[3])).toBeCloseTo((1000 * withResidents.people) / withResidents.residents!, 1);
  if (where.sectors.some((s) => !s.known)) expect(heatRows.at(-1)![0]).toBe('Unknown (no postcode sector)');
  await screenshot(page, '11-reports-where');

  // A filter the contract refuses shows its message by the field.
  await page.getByLabel('From', { exact: true }).fill('2026-07-01');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.locator('.field-error')).toContainText('The start date (2026-07-01) is after the end date (2026-06-30).');
  await page.getByLabel('From', { exact: true }).fill('2024-11-01');
  await page.getByLabel('To', { exact: true }).fill('2026-10-31');
  await page.getByLabel('Category', { exact: true }).selectOption({ label: 'All categories' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.locator('.field-error')).toHaveCount(0);
  // Sector, total, residents, per 1,000 residents, then one column per category.
  await expect(page.locator('.heat-table thead th')).toHaveCount(4 + wide.categories.length);
  await expect(page.locator('.heat-table thead th').nth(2)).toHaveText(/Residents \(mid-2020\)/);
  await screenshot(page, '11b-reports-where-all-categories');

  // Deprivation: the headline and the table agree with the call.
  await page.getByRole('link', { name: 'Deprivation' }).click();
  const deciles = await apiCall<{ mostDeprivedShare: number; deciles: { people: number }[] }>(page, 'reports.deciles', {
    filter: { from: '2024-11-01', to: '2026-10-31' },
  });
  await expect(page.getByTestId('decile-headline')).toContainText(
    `${Math.round(deciles.mostDeprivedShare * 100)}% of our clients live in the most deprived 20% of neighbourhoods`,
  );
  await expect
    .poll(async () => (await tableRows(page.getByTestId('panel-deciles').getByRole('table'))).map((r) => Number(r[1])))
    .toEqual(deciles.deciles.map((d) => d.people));
  await screenshot(page, '12-reports-deciles');

  // Impact: headline figures, and a bad number of days is refused by its field.
  await page.getByRole('link', { name: 'Impact' }).click();
  await expect(page.getByTestId('panel-outcomes').getByRole('table')).toBeVisible();
  await expect(page.getByTestId('panel-referrals').getByRole('table').locator('tbody tr').first()).toBeVisible();
  await screenshot(page, '13-reports-impact');
  await page.getByLabel('Count open issues older than (days)').fill('0');
  await expect(page.locator('.impact-controls .error-message')).toHaveText('Enter at least 1 day.');
  await page.getByLabel('Count open issues older than (days)').fill('30');
  await expect(page.locator('.impact-controls .error-message')).toHaveCount(0);

  // Map: drawn from the shipped outlines; sectors under the threshold hatched, the rest coloured.
  await page.getByRole('link', { name: 'Map' }).click();
  const map = page.getByRole('img', { name: /Map of people by postcode sector in the [A-Z]+ postcode area/ });
  await expect(map).toBeVisible();
  await expect(map.locator('path.sector.hatched').first()).toBeAttached();
  await page.getByLabel('Hatch sectors with fewer clients than').fill('5');
  await expect(map.locator('path.sector.coloured').first()).toBeAttached();
  expect(await map.locator('path.sector.hatched').count()).toBeGreaterThan(0);
  // The table beside it lists sectors that have no outline (the Lewisham lookup has no coordinates).
  const mapTable = page.locator('.map-table table');
  await expect(mapTable).toContainText('no map shape');
  await expect(mapTable).toContainText('coloured');
  await screenshot(page, '14-reports-map');
  // Coloured by people per 1,000 residents instead: the legend states the population year.
  await page.getByLabel('Colour by').selectOption('peopleRate');
  await expect(page.getByRole('img', { name: /Map of people per 1,000 residents by postcode sector/ })).toBeVisible();
  await expect(page.locator('.map-figure')).toContainText('People per 1,000 residents (mid-2020)');
  await expect(mapTable.locator('thead')).toContainText('People per 1,000 residents');
  await page.getByLabel('Colour by').selectOption('people');
  const mapPngDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save map as PNG' }).click();
  const mapPng = await savedBytes(await mapPngDownload);
  expect([...mapPng.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(mapPng.length).toBeGreaterThan(10_000);

  // Outcome frameworks: the same presentations grouped by the national outcomes their issues are defined against.
  await page.getByRole('link', { name: 'Outcome frameworks' }).click();
  type Frameworks = { totalPresentations: number; frameworks: { framework: string; rows: { code: string; presentations: number }[] }[] };
  const frameworks = await apiCall<Frameworks>(page, 'reports.frameworks', { filter: { from: '2024-11-01', to: '2026-10-31' } });
  const sfof = frameworks.frameworks.find((f) => f.framework === 'SFOF')!;
  expect(sfof.rows.length).toBeGreaterThan(0);
  await expect(page.getByTestId('framework-note')).toContainText(`${frameworks.totalPresentations.toLocaleString('en-GB')} presentations`);
  await expect
    .poll(async () => (await tableRows(page.getByTestId('panel-frameworks-sfof').getByRole('table'))).map((r) => Number(r[1]!.replace(/,/g, ''))))
    .toEqual(sfof.rows.map((r) => r.presentations));
  await screenshot(page, '14c-reports-frameworks');

  // Print / save as PDF: the button opens the print dialog; print styles drop navigation and controls.
  await page.evaluate(() => {
    window.print = () => document.body.setAttribute('data-printed', 'yes');
  });
  await page.getByRole('link', { name: 'Need' }).click();
  await expect(page.getByTestId('panel-top-issues').getByRole('table').locator('tbody tr').first()).toBeVisible();
  await page.getByRole('button', { name: 'Print or save as PDF' }).click();
  await expect(page.locator('body')).toHaveAttribute('data-printed', 'yes');
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Apply filters' })).toBeHidden();
  await expect(page.getByRole('button', { name: /Download CSV/ }).first()).toBeHidden();
  await expect(page.locator('.filter-summary')).toBeVisible();
  await screenshot(page, '15-reports-print');
  await page.emulateMedia({ media: 'screen' });
});
