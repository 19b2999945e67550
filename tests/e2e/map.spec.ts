/**
 * The sector map outside the seven postcode areas the first reference data had: an organisation
 * whose clients live in Manchester (M) sees its Map view drawn from the shipped national outlines.
 * The clients are recorded through the same calls the recording screens make, at real M postcodes.
 */
import { expect, test } from '@playwright/test';
import { apiCall, tableRows } from './helpers.ts';
import { completeFirstRun, screenshot, startHost, tempDatabase, type RunningHost } from './host.ts';

let host: RunningHost | null = null;
test.afterEach(async () => {
  await host?.stop();
  host = null;
});

// Real postcodes (NSPL May 2025); M14 4, M13 9 and M20 2 get 10 or more clients, the rest fewer.
const POSTCODES = [
  ...['M14 4HA', 'M14 4HB', 'M14 4HD', 'M14 4HE', 'M14 4HF', 'M14 4HG', 'M14 4HH', 'M14 4HJ', 'M14 4HL', 'M14 4HN', 'M14 4HP', 'M14 4PX'],
  ...['M13 9HA', 'M13 9HB', 'M13 9HD', 'M13 9HE', 'M13 9HF', 'M13 9HG', 'M13 9HN', 'M13 9HP', 'M13 9HQ', 'M13 9HT', 'M13 9HU'],
  ...['M20 2HA', 'M20 2HB', 'M20 2HD', 'M20 2HE', 'M20 2HF', 'M20 2HG', 'M20 2HH', 'M20 2HJ', 'M20 2HL', 'M20 2HN'],
  ...['M1 1HA', 'M1 1HE', 'M15 5HA', 'M15 5HB', 'M15 5HD', 'M19 2HA', 'M19 2HB', 'M21 9HA', 'M8 8HA', 'M40 7HA', 'M40 7HB'],
];

test('the Map view draws a Manchester organisation’s sectors from the national outlines', async ({ page }) => {
  host = await startHost(tempDatabase());
  await page.goto(host.url);
  await completeFirstRun(page);

  const taxonomy = await apiCall<{ issues: { code: string }[] }>(page, 'taxonomy.get', {});
  for (const [i, postcode] of POSTCODES.entries()) {
    const created = await apiCall<{ kind: string; id: number }>(page, 'clients.create', {
      client: {
        firstName: `Client${i}`,
        lastName: 'Manchester',
        dateOfBirth: `19${50 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`,
        postcode,
        consentToRecord: true,
        consentDate: '2026-09-01',
      },
      confirmedNotDuplicate: true,
    });
    expect(created.kind).toBe('created');
    await apiCall(page, 'contacts.record', {
      clientId: created.id,
      contactDate: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}`,
      kind: 'drop_in',
      staffName: 'Sam Reid',
      issues: [{ issueCode: taxonomy.issues[i % 5]!.code, withinRemit: true, referredTo: '' }],
    });
  }

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
  await page.getByRole('link', { name: 'Map' }).click();
  const map = page.getByRole('img', { name: 'Map of people by postcode sector in the M postcode area' });
  await expect(map).toBeVisible();
  await expect(page.getByLabel('Postcode area', { exact: true })).toHaveValue('M');
  // The whole area is drawn, not only the clients' sectors; theirs are coloured or hatched.
  expect(await map.locator('path.sector').count()).toBeGreaterThan(150);
  for (const sector of ['M14 4', 'M13 9', 'M20 2']) await expect(map.locator(`path.sector.coloured[data-sector="${sector}"]`)).toBeAttached();
  await expect(map.locator('path.sector.hatched[data-sector="M40 7"]')).toBeAttached();
  const table = await tableRows(page.locator('.map-table table'));
  // Sector, people, presentations, residents (mid-2020), people and presentations per 1,000 residents, on the map.
  expect(table.find((r) => r[0] === 'M14 4')).toEqual(['M14 4', '12', '12', '11,572', '1', '1', 'coloured']);
  expect(table.filter((r) => r.at(-1) === 'no map shape')).toEqual([]);
  await expect(page.locator('.map-figure .attribution')).toContainText('Royal Mail data © Royal Mail copyright and database right 2025');
  await screenshot(page, '14b-reports-map-manchester');
});
