/**
 * The caseworker's day, end to end in real Chromium against the real browser host process:
 * create a client, meet the duplicate warning, record a contact with three issues (one outside
 * remit and referred), change a status, restart the host and find everything still there.
 */
import { expect, test, type Page } from '@playwright/test';
import { completeFirstRun, logIn, screenshot, startHost, tempDatabase, type RunningHost } from './host.ts';

let host: RunningHost | null = null;
test.afterEach(async () => {
  await host?.stop();
  host = null;
});

async function fillClient(page: Page, c: { first: string; last: string; dob: string; postcode: string }) {
  await page.getByLabel('First name').fill(c.first);
  await page.getByLabel('Last name').fill(c.last);
  await page.getByLabel('Date of birth').fill(c.dob);
  await page.getByLabel('Postcode', { exact: true }).fill(c.postcode);
  await page.getByRole('radio', { name: 'Yes' }).check();
}

async function addIssue(page: Page, search: string, issueName: RegExp) {
  const picker = page.getByRole('combobox', { name: 'Add an issue' });
  await picker.fill(search);
  const options = page.getByRole('listbox', { name: 'Matching issues' }).getByRole('option');
  await expect(options.filter({ hasText: issueName }).first()).toBeVisible();
  // Keyboard only: move to the wanted option and press Enter.
  const names = await options.allInnerTexts();
  const index = names.findIndex((n) => issueName.test(n));
  expect(index).toBeGreaterThanOrEqual(0);
  for (let i = 0; i < index; i++) await picker.press('ArrowDown');
  await expect(page.locator('.definition h3')).toHaveText(issueName);
  await picker.press('Enter');
}

test('record a client, a contact with three issues and a status change, and keep it all across a restart', async ({ page }) => {
  const db = tempDatabase();
  host = await startHost(db);
  await page.goto(host.url);
  await completeFirstRun(page, '00-first-run-wizard');
  await expect(page.getByRole('heading', { name: 'Clients' })).toBeVisible();
  await screenshot(page, '01-client-list-empty');

  await page.getByRole('link', { name: 'New client' }).first().click();
  await fillClient(page, { first: 'Maria', last: 'Nowak', dob: '1984-03-12', postcode: 'm14 4px' });
  // Sector, neighbourhood, local authority and deprivation appear as soon as the postcode is complete,
  // anywhere in England, from the shipped data alone; a derived placement says so.
  const feedback = page.locator('.postcode-feedback');
  await expect(feedback).toContainText('Postcode sector M14 4');
  await expect(feedback).toContainText('Manchester 025C (E01005244)');
  await expect(feedback).toContainText('local authority Manchester');
  await expect(feedback).toContainText('Decile 3 of 10 (IoD2025)');
  await expect(feedback.locator('.placement-note')).toHaveText(
    "Placed from the postcode's centre point; about 1 in 100 postcodes near a boundary may fall in the neighbouring area.",
  );
  await screenshot(page, '02b-client-form-manchester');
  await page.getByLabel('Postcode', { exact: true }).fill('m40 7aa');
  await expect(feedback.locator('.badge-deprived')).toHaveText('Lives in one of the 10% most deprived neighbourhoods in England');
  // Welsh and Scottish postcodes say why they have no decile.
  await page.getByLabel('Postcode', { exact: true }).fill('cf10 1aa');
  await expect(feedback).toContainText('local authority Cardiff');
  await expect(feedback.locator('.badge-unknown')).toHaveText(/Deprivation unknown: In Wales: the English Indices of Deprivation do not cover Wales/);
  await page.getByLabel('Postcode', { exact: true }).fill('eh1 1aa');
  await expect(feedback.locator('.badge-unknown')).toHaveText(
    'Deprivation unknown: In Scotland, outside England and Wales: the English Indices of Deprivation do not cover Scotland.',
  );
  // A bad input shows its error next to the field and keeps everything typed.
  await fillClient(page, { first: 'Maria', last: 'Nowak', dob: '1984-03-12', postcode: 'se13 6a' });
  await page.getByRole('button', { name: 'Save client' }).click();
  await expect(page.getByText('SE13 6A is not a complete postcode.').first()).toBeVisible();
  await expect(page.getByLabel('First name')).toHaveValue('Maria');
  await expect(page.getByLabel('Postcode', { exact: true })).toHaveValue('se13 6a');
  await expect(page.getByLabel('Postcode', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await screenshot(page, '02-client-form-error');

  await page.getByLabel('Postcode', { exact: true }).fill('se13 6aa');
  await expect(feedback).toContainText('Postcode sector SE13 6');
  await expect(feedback).toContainText('local authority Lewisham');
  await expect(feedback).toContainText('IoD2025');
  await expect(feedback.locator('.placement-note')).toHaveCount(0); // Lewisham's official lookup
  await screenshot(page, '02c-postcode-deprivation');
  await page.getByRole('button', { name: 'Save client' }).click();
  await expect(page.getByRole('heading', { name: 'Maria Nowak' })).toBeVisible();
  await expect(page.locator('.details')).toContainText('Local authorityLewisham (E09000023)');
  await expect(page.locator('.details')).toContainText('Decile 4 of 10 (IoD2025)');
  const firstUrl = page.url();

  // Editing loads every field back into the form, and saves what changed.
  await page.getByRole('link', { name: 'Edit details' }).click();
  await expect(page.getByRole('heading', { name: 'Edit client' })).toBeVisible();
  await expect(page.getByLabel('First name')).toHaveValue('Maria');
  await expect(page.getByLabel('Postcode', { exact: true })).toHaveValue('SE13 6AA');
  await expect(page.getByLabel('ID type')).toHaveValue('');
  await expect(page.getByRole('radio', { name: 'Yes' })).toBeChecked();
  await page.getByLabel('Phone').fill('07700 900 456');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { name: 'Maria Nowak' })).toBeVisible();
  await expect(page.locator('.details')).toContainText('07700 900 456');

  // The same person again, with a typo and names swapped: warned, offered the existing record.
  await page.getByRole('link', { name: 'New client' }).first().click();
  await fillClient(page, { first: 'Nowak', last: 'Marai', dob: '1984-03-12', postcode: 'SE13 6AA' });
  await page.getByRole('button', { name: 'Save client' }).click();
  const warning = page.locator('#duplicate-warning');
  await expect(warning).toContainText('This person may already be recorded');
  await expect(warning.getByRole('link', { name: 'Maria Nowak' })).toBeVisible();
  await screenshot(page, '03-duplicate-warning');
  await warning.getByRole('link', { name: 'Maria Nowak' }).click();
  await expect(page).toHaveURL(firstUrl);

  // Record a contact with three issues, one outside remit and referred.
  await page.getByRole('link', { name: 'Record a contact' }).click();
  await page.getByLabel('Date of contact').fill('2026-11-02');
  await page.getByLabel('Staff member').fill('Sam Reid');
  await page.getByLabel('Short note').fill('Came to the drop-in with letters.');
  await addIssue(page, 'arrears', /rent or mortgage arrears/i);
  await addIssue(page, 'damp', /unsuitable housing/i);
  await addIssue(page, 'lonely', /loneliness/i);
  const chosen = page.locator('.chosen-issues > li');
  await expect(chosen).toHaveCount(3);
  await chosen
    .nth(2)
    .getByLabel(/Within our remit/)
    .uncheck();
  // Saving without saying where the client was referred is refused at that field.
  await page.getByRole('button', { name: 'Save contact' }).click();
  await expect(page.getByText('Say where the client was referred').first()).toBeVisible();
  await expect(chosen).toHaveCount(3);
  await chosen
    .nth(2)
    .getByLabel(/Referred to/)
    .fill('Befriending service');
  await screenshot(page, '04-record-contact');
  await page.getByRole('button', { name: 'Save contact' }).click();

  await expect(page.getByRole('heading', { name: 'Maria Nowak' })).toBeVisible();
  const issueRows = page.locator('.issues-table tbody tr[data-issue-code]');
  await expect(issueRows).toHaveCount(3);
  await expect(page.locator('.issues-table')).toContainText('No — referred to Befriending service');

  // Change one issue's status.
  const arrears = issueRows.filter({ hasText: /rent or mortgage arrears/i });
  await arrears.getByRole('button', { name: /Change status/ }).click();
  await page.getByLabel('New status').selectOption('resolved');
  await page.getByLabel('Date of change').fill('2026-11-20');
  await page.getByRole('button', { name: 'Save status' }).click();
  await expect(arrears.locator('.status')).toHaveText('Resolved');
  await expect(page.locator('.timeline')).toContainText('Resolved');
  await screenshot(page, '05-client-page');

  // Restart the host process: everything is still there.
  await host.stop();
  host = await startHost(db);
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Log in to NeedMap' })).toBeVisible();
  await logIn(page);
  await page.getByRole('searchbox').fill('nowak');
  await page.getByRole('link', { name: 'Nowak, Maria' }).click();
  await expect(page.locator('.issues-table tbody tr[data-issue-code]')).toHaveCount(3);
  await expect(
    page
      .locator('.issues-table tbody tr[data-issue-code]')
      .filter({ hasText: /rent or mortgage arrears/i })
      .locator('.status'),
  ).toHaveText('Resolved');
  await expect(page.locator('.timeline')).toContainText('Came to the drop-in with letters.');
  // The postcode was typed in lower case; it is kept in its normal form.
  await expect(page.locator('.details')).toContainText('SE13 6AA');
});

test('the host refuses callers without a session secret and other origins', async ({ page, request }) => {
  host = await startHost(tempDatabase());
  const noSession = await request.post(`${host.origin}/api/call`, {
    headers: { 'content-type': 'application/json', 'x-needmap': '1' },
    data: { name: 'clients.search', input: {} },
  });
  expect(noSession.status()).toBe(401);
  await page.goto(host.url);
  await page.getByRole('heading', { name: 'Welcome to NeedMap' }).waitFor();
  // With this tab's session secret but from another origin: refused.
  const secret = await page.evaluate(() => sessionStorage.getItem('needmap.session'));
  expect(secret).toBeTruthy();
  const crossOrigin = await page.context().request.post(`${host.origin}/api/call`, {
    headers: { 'content-type': 'application/json', 'x-needmap': '1', 'x-needmap-session': secret!, origin: 'http://evil.example' },
    data: { name: 'clients.search', input: {} },
  });
  expect(crossOrigin.status()).toBe(403);
  // No cookie at all: nothing the browser would send by itself to another port.
  expect(await page.context().cookies()).toEqual([]);
});
