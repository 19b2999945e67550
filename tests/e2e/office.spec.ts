/**
 * The office server in real Chromium (issue 16), as a charity's admin sets it up: share the
 * database from Settings on the server PC; on another PC, choose "Connect to our office server"
 * at first run and paste the pairing code; approve that PC on the server, checking its code;
 * staff log in at the other PC. Then the server goes away while a form is being typed: the form
 * says so plainly and keeps what was typed, and saves once the server is back. The screenshots
 * are the ones docs/office-server.md shows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ADMIN, completeFirstRun, screenshot, screenshotOf, tempDatabase } from './host.ts';
import { apiCall } from './helpers.ts';
import { filesUnder, freePort, startServe, tempFolder, type Running } from '../office/processes.ts';

const started: Running[] = [];
test.afterEach(async () => {
  for (const p of started.splice(0)) await p.kill();
});

const CASEWORKER = { username: 'sam.reception', displayName: 'Sam Reception', role: 'caseworker', password: 'sam reception password' };

async function logInAs(page: Page, user: { username: string; password: string }) {
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

test('set up an office server, connect a second PC, approve it, and keep a half-typed form while the server is away', async ({ browser }) => {
  test.setTimeout(240_000);
  const dbFile = tempDatabase('needmap.db');
  const serverHome = tempFolder();
  const clientHome = tempFolder();
  let server = await startServe(['--db', dbFile], serverHome);
  started.push(server);

  // 1. On the server PC: first run, then Settings → Share with this office.
  const admin = await browser.newPage();
  await admin.goto(server.url);
  await completeFirstRun(admin);
  await apiCall(admin, 'users.create', CASEWORKER);
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const panel = admin.locator('.office-settings');
  await panel.getByLabel('This PC’s address on the office network').selectOption('127.0.0.1');
  const port = await freePort();
  await panel.getByLabel('Port').fill(String(port));
  await screenshotOf(panel, 'office-1-share');
  await panel.getByRole('button', { name: 'Share with this office' }).click();
  await expect(panel.getByRole('status')).toHaveText(`Sharing at 127.0.0.1:${port}.`);
  const pairingCode = (await panel.getByLabel('Pairing code').textContent())!.trim();
  const fingerprint = (await panel.getByLabel('Office server certificate fingerprint').textContent())!.trim();
  expect(pairingCode).toMatch(new RegExp(`^needmap-office://127\\.0\\.0\\.1:${port}/[0-9a-f]{64}$`));
  expect(fingerprint.replace(/ /g, '').toLowerCase()).toBe(pairingCode.split('/').pop());
  await screenshotOf(panel, 'office-2-sharing');

  // 2. On the other PC: a fresh NeedMap, "Connect to our office server", paste the code.
  const clientPc = await startServe([], clientHome);
  started.push(clientPc);
  const desk = await browser.newPage();
  await desk.goto(clientPc.url);
  await desk.getByRole('button', { name: 'Connect to our office server' }).click();
  await desk.getByLabel('Pairing code').fill(pairingCode);
  await desk.getByLabel('A name for this PC').fill('Reception PC');
  await screenshot(desk, 'office-3-connect');
  await desk.getByRole('button', { name: 'Connect' }).click();
  await expect(desk.getByRole('heading', { name: 'Waiting for approval' })).toBeVisible();
  await expect(desk.getByLabel('Office server certificate fingerprint')).toHaveText(fingerprint);
  const code = (await desk.getByLabel("This PC's code").textContent())!.trim();
  await screenshot(desk, 'office-4-waiting');
  // The fresh PC's own empty database is gone: it keeps only its connection.
  await expect.poll(() => filesUnder(path.join(clientHome, 'NeedMap')).filter((f) => !f.startsWith('browser-hosts/'))).toEqual(['office-connection.json']);

  // 3. Back on the server PC: the request shows with the same code; approve it.
  const row = panel.getByRole('row', { name: /Reception PC/ });
  await expect(row).toContainText(code, { timeout: 15_000 });
  await expect(row).toContainText('Waiting for approval');
  await screenshotOf(panel, 'office-5-approve');
  await row.getByRole('button', { name: 'Approve Reception PC' }).click();
  await expect(row).toContainText('Approved');

  // 4. The other PC moves on by itself to the login; staff log in with their own account.
  await expect(desk.getByRole('heading', { name: 'Log in to NeedMap' })).toBeVisible({ timeout: 15_000 });
  await logInAs(desk, CASEWORKER);
  await expect(desk.getByRole('heading', { name: 'Clients' })).toBeVisible();
  await desk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'About' }).click();
  await expect(desk.getByText(`Connected to the office server at 127.0.0.1:${port}`)).toBeVisible();

  // 5. A form half typed when the server PC goes away: a plain message, and nothing typed is lost.
  await desk.getByRole('link', { name: 'New client' }).first().click();
  await desk.getByLabel('First name').fill('Maria');
  await desk.getByLabel('Last name').fill('Nowak');
  await desk.getByLabel('Date of birth').fill('1984-03-12');
  await desk.getByLabel('Postcode', { exact: true }).fill('SE13 6AA');
  await desk.getByRole('radio', { name: 'Yes' }).check();
  await server.kill();
  await desk.getByRole('button', { name: 'Save client' }).click();
  await expect(desk.locator('.error-summary')).toContainText(`The office server (127.0.0.1:${port}) cannot be reached`);
  await expect(desk.getByLabel('First name')).toHaveValue('Maria');
  await expect(desk.getByLabel('Postcode', { exact: true })).toHaveValue('SE13 6AA');
  await screenshot(desk, 'office-6-unreachable');

  // The server PC starts NeedMap again (it shares again by itself); its database opens at the first login.
  server = await startServe(['--db', dbFile], serverHome);
  started.push(server);
  expect(server.output()).toContain(`Sharing with this office at 127.0.0.1:${port}`);
  await desk.getByRole('button', { name: 'Save client' }).click();
  // The login screen's notice (the kept form may say the same in its own error summary, hidden under it).
  await expect(desk.getByRole('status').filter({ hasText: 'The office server restarted: log in again to carry on where you were.' })).toBeVisible();
  await logInAs(desk, CASEWORKER);
  await expect(desk.getByLabel('First name')).toHaveValue('Maria');
  await desk.getByRole('button', { name: 'Save client' }).click();
  await expect(desk.getByRole('heading', { name: 'Maria Nowak' })).toBeVisible();

  // The server's audit log names the PC the client was created on.
  const admin2 = await browser.newPage();
  await admin2.goto(server.url);
  await logInAs(admin2, ADMIN);
  const audit = await apiCall<{ entries: { action: string; detail: string }[] }>(admin2, 'protect.auditList', { limit: 50 });
  expect(JSON.parse(audit.entries.find((e) => e.action === 'client.create')!.detail).device.name).toBe('Reception PC');
  // And the client PC's data folder still holds no case data.
  for (const file of filesUnder(path.join(clientHome, 'NeedMap'))) {
    expect(fs.readFileSync(path.join(clientHome, 'NeedMap', file), 'latin1')).not.toMatch(/Nowak|SE13/);
  }
});
