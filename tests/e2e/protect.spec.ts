/**
 * Protecting the people in the records, end to end in real Chromium against the real browser
 * host: the first-run wizard encrypts the database; an admin adds a caseworker, who neither sees
 * nor can call manager-only features; the screen auto-locks (Playwright's clock) and the main
 * process then refuses calls too; an admin sees the start-up retention banner, erases a client
 * (who still counts in Reports), prints a subject access page and exports the audit log; the
 * host backs up on close.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ADMIN, completeFirstRun, logIn, screenshot, startHost, tempDatabase, type RunningHost } from './host.ts';

let host: RunningHost | null = null;
test.afterEach(async () => {
  await host?.stop();
  host = null;
});

const CASEWORKER = { username: 'casey.w', password: 'kettle lamp 1234', name: 'Casey Worker' };

/** A call made from the page exactly as the renderer makes it, bypassing the UI entirely. */
async function apiCall(page: Page, name: string, input: unknown): Promise<{ ok: boolean; value?: any; error?: any }> {
  return page.evaluate(
    async ({ name, input }) => {
      const response = await fetch('/api/call', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-needmap': '1', 'x-needmap-session': sessionStorage.getItem('needmap.session') ?? '' },
        body: JSON.stringify({ name, input }),
      });
      return response.json();
    },
    { name, input },
  );
}

async function apiOk(page: Page, name: string, input: unknown): Promise<any> {
  const result = await apiCall(page, name, input);
  if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
  return result.value;
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

test('first-run wizard encrypts; a caseworker cannot see or call manager features; auto-lock locks the screen and the main process', async ({ page }) => {
  const db = tempDatabase();
  host = await startHost(db);
  // Installed before the app loads, so the screen's auto-lock timer runs on a clock the test can move.
  await page.clock.install();
  await page.goto(host.url);
  await completeFirstRun(page, '30-protect-first-run');
  // The wizard encrypted the brand-new database: no SQLite header on disk.
  expect(fs.readFileSync(db).subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3');

  await nav(page).getByRole('link', { name: 'Data protection' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Data protection');
  await page.getByLabel('Name', { exact: true }).fill(CASEWORKER.name);
  await page.getByLabel('New username').fill(CASEWORKER.username);
  await page.getByLabel('Role', { exact: true }).selectOption('caseworker');
  await page.getByLabel('Initial password').fill(CASEWORKER.password);
  await page.getByRole('button', { name: 'Add account' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Account ${CASEWORKER.username} created.` })).toBeVisible();
  await expect(page.getByRole('cell', { name: CASEWORKER.name })).toBeVisible();
  await screenshot(page, '30-protect-accounts');

  // The caseworker logs in on the same PC: records only.
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'Log in to NeedMap' })).toBeVisible();
  await screenshot(page, '30-protect-login');
  await logIn(page, CASEWORKER);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Clients');
  await expect(nav(page).getByRole('link', { name: 'Clients', exact: true })).toBeVisible();
  for (const hidden of ['Reports', 'Export', 'Data protection', 'Settings', 'Area picture']) {
    await expect(nav(page).getByRole('link', { name: hidden })).toHaveCount(0);
  }
  await expect(page.locator('.user-menu')).toContainText(`${CASEWORKER.username} (caseworker)`);
  await screenshot(page, '30-protect-caseworker');
  // Hiding the link is not the protection: the main process refuses the call itself.
  const refused = await apiCall(page, 'bundle.export', { from: '2026-01', to: '2026-02' });
  expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'role' } });
  expect(refused.error.message).toContain('you are logged in as a caseworker');
  expect(await apiCall(page, 'reports.need', { filter: { from: '2026-01-01', to: '2026-02-28' } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  expect((await apiCall(page, 'clients.search', {})).ok).toBe(true);

  // The admin sets auto-lock to 1 minute.
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'Log in to NeedMap' })).toBeVisible();
  await logIn(page, ADMIN);
  await nav(page).getByRole('link', { name: 'Data protection' }).click();
  const minutes = page.getByLabel('Lock after this many minutes without use');
  await expect(minutes).toHaveValue('10');
  await minutes.fill('1');
  await page.getByRole('button', { name: 'Save data protection settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect.poll(async () => (await apiOk(page, 'auth.status', {})).autoLockMinutes).toBe(1);

  // Two idle minutes later the screen locks itself…
  await page.clock.fastForward('02:00');
  await expect(page.getByRole('heading', { name: 'NeedMap is locked' })).toBeVisible();
  await expect(page.getByText('NeedMap locked itself after 1 minute without use')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Log out' })).toHaveCount(0);
  await screenshot(page, '30-protect-locked');
  // …and the main process has ended the session: calls are refused until someone logs in.
  expect(await apiCall(page, 'clients.search', {})).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'login-required' } });
  expect(await apiOk(page, 'auth.status', {})).toMatchObject({ session: null });

  // A wrong password opens nothing; the right one unlocks again.
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText('That username and password do not match an active account.').first()).toBeVisible();
  await logIn(page, ADMIN);
  expect((await apiCall(page, 'clients.search', {})).ok).toBe(true);
});

function isoDaysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

test('retention banner at login, erase a client who still counts in Reports, printable subject access, audit export, backup on close', async ({ page }) => {
  const db = tempDatabase();
  host = await startHost(db);
  const hostOutput: string[] = [];
  host.process.stdout!.on('data', (chunk: Buffer) => hostOutput.push(chunk.toString()));
  await page.goto(host.url);
  await completeFirstRun(page);

  // Records: one current client, one with no contact for over six years.
  const taxonomy = await apiOk(page, 'taxonomy.get', {});
  const issueCode = taxonomy.issues[0].code as string;
  const issueName = taxonomy.issues[0].name as string;
  async function clientWithContact(first: string, last: string, contactDate: string): Promise<number> {
    const created = await apiOk(page, 'clients.create', {
      client: {
        firstName: first,
        lastName: last,
        dateOfBirth: '1979-05-02',
        postcode: 'SE13 6AA',
        phone: '07700 900 123',
        consentToRecord: true,
        consentDate: contactDate,
      },
      confirmedNotDuplicate: true,
    });
    await apiOk(page, 'contacts.record', {
      clientId: created.id,
      contactDate,
      kind: 'appointment',
      staffName: ADMIN.name,
      note: `Private note about ${first}`,
      issues: [{ issueCode, withinRemit: true, referredTo: null }],
    });
    return created.id as number;
  }
  const current = await clientWithContact('Halina', 'Brzozowska', isoDaysAgo(20));
  await clientWithContact('Old', 'Record', '2018-03-01');

  // Settings starts from the organisation name given in the wizard.
  await nav(page).getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByLabel('Organisation name')).toHaveValue('Riverside Advice Centre');

  // Retention at start-up: the admin's next login shows what is due, linking to the preview.
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'Log in to NeedMap' })).toBeVisible();
  await logIn(page, ADMIN);
  const banner = page.getByRole('region', { name: 'Retention' });
  await expect(banner).toContainText('1 client has had no contact for 6 years');
  await screenshot(page, '30-protect-retention-banner');
  await banner.getByRole('link', { name: 'review and anonymise' }).click();
  const preview = page.getByRole('region', { name: 'Retention preview' });
  await expect(preview).toContainText('1 client with no contact since');
  await expect(page.getByText('Retention has not been applied yet.')).toBeVisible();
  await preview.getByRole('button', { name: 'Anonymise this client' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Anonymised 1 client with no contact since' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Retention runs' }).getByRole('row')).toHaveCount(2);
  await screenshot(page, '30-protect-retention');
  await nav(page).getByRole('link', { name: 'Clients', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Retention' })).toHaveCount(0);

  // Reports count the client before erasure…
  await nav(page).getByRole('link', { name: 'Reports' }).click();
  const headline = page.locator('.headline');
  await expect(headline).toContainText('people brought');
  const peopleBefore = await headline.locator('strong').first().innerText();
  expect(Number(peopleBefore)).toBeGreaterThanOrEqual(1);

  // …the admin reads the printable subject access page…
  await page.goto(`${host.origin}/#/clients/${current}`);
  await expect(page.getByRole('heading', { name: 'Halina Brzozowska' })).toBeVisible();
  await page.getByRole('link', { name: 'Subject access request (printable page)' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Subject access request: client ${current} — Halina Brzozowska`);
  const sar = page.locator('section.subject-access');
  await expect(sar.getByRole('heading', { name: 'Personal details' })).toBeVisible();
  await expect(sar).toContainText('07700 900 123');
  await expect(sar).toContainText('Private note about Halina');
  await expect(sar.getByRole('heading', { level: 3 })).toContainText(issueName);
  await expect(sar).toContainText(`${ADMIN.name} (${ADMIN.username})`);
  await expect(sar.getByRole('table', { name: 'From the audit log' })).toContainText('client.view');
  await expect(page.getByRole('button', { name: 'Print' })).toBeVisible();
  await screenshot(page, '30-protect-subject-access');
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('button', { name: 'Print' })).toBeHidden();
  await screenshot(page, '30-protect-subject-access-print');
  await page.emulateMedia({ media: 'screen' });

  // …then erases the client for good.
  await page.getByRole('link', { name: 'Back to the client' }).click();
  await page.getByRole('button', { name: 'Erase this client…' }).click();
  const confirmButton = page.getByRole('button', { name: 'Erase for good' });
  await expect(confirmButton).toBeDisabled();
  await page.getByLabel('Type ERASE to confirm').fill('ERASE');
  await screenshot(page, '30-protect-erase-confirm');
  await confirmButton.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Erased client');
  await expect(page.getByText('identifying details were erased for good')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Erased: first name, last name, date of birth' })).toBeVisible();
  await expect(page.getByText('Halina')).toHaveCount(0);
  await expect(page.getByText('07700 900 123')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Erase this client…' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Edit details' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Record a contact' })).toHaveCount(0);
  await screenshot(page, '30-protect-erased');

  // Still counted: the same people total as before the erasure.
  await nav(page).getByRole('link', { name: 'Reports' }).click();
  await expect(headline.locator('strong').first()).toHaveText(peopleBefore);
  await screenshot(page, '30-protect-reports-after-erasure');

  // The audit log: intact, and exported as CSV with its hashes.
  await nav(page).getByRole('link', { name: 'Data protection' }).click();
  await page.getByRole('button', { name: 'Check the audit log is intact' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Intact: \d+ entries/ })).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export the audit log (CSV)' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^needmap-audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = fs.readFileSync((await download.path())!, 'utf8');
  expect(csv.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('id,at,user_id,username,action,target,detail,prev_hash,hash');
  expect(csv).toContain(`client.erase,client:${current}`);
  await screenshot(page, '30-protect-audit');

  // Closing the host while someone is logged in backs the database up.
  const backups = path.join(path.dirname(db), 'backups');
  const before = fs.existsSync(backups) ? fs.readdirSync(backups).filter((f) => f.endsWith('.db')).length : 0;
  await host.stop();
  host = null;
  expect(hostOutput.join('')).toMatch(/Automatic backup \(close\): .*needmap-\d{8}-\d{9}\.db/);
  const after = fs.readdirSync(backups).filter((f) => f.endsWith('.db'));
  expect(after.length).toBe(before + 1);
  // Encrypted like the source.
  expect(
    fs
      .readFileSync(path.join(backups, after.sort().at(-1)!))
      .subarray(0, 15)
      .toString('latin1'),
  ).not.toBe('SQLite format 3');
});
