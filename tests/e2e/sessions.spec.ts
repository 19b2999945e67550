/**
 * Browser-mode sessions, login throttling, the database lock and the restore screen (issue 12),
 * in real Chromium against the real `needmap serve`:
 *  - another local server on 127.0.0.1 (browsers share cookies across ports) receives nothing it
 *    could use to call NeedMap, even replayed;
 *  - the start link works once; `needmap open` gets a new one; each tab logs in on its own;
 *  - the login screen counts down after too many failed attempts;
 *  - a serve killed with SIGKILL leaves a stale lock, and the next start takes it over cleanly;
 *  - the restore screen previews a backup, restores it and re-applies erasures made since.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { ADMIN, completeFirstRun, logIn, screenshot, startHost, tempDatabase, type RunningHost } from './host.ts';
import { apiCall } from './helpers.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'src-main', 'cli', 'needmap.mjs');

let host: RunningHost | null = null;
let other: http.Server | null = null;
test.afterEach(async () => {
  await host?.stop();
  host = null;
  // Chromium keeps idle keep-alive sockets to the other server open while the page lives; drop them or close() waits for ever.
  other?.closeAllConnections();
  await new Promise<void>((resolve) => (other ? other.close(() => resolve()) : resolve()));
  other = null;
});

const secretOf = (page: Page) => page.evaluate(() => sessionStorage.getItem('needmap.session'));

test('a second local server receives nothing it could use to call NeedMap', async ({ page, context }) => {
  host = await startHost(tempDatabase());
  // An unrelated local server (a dev server, another app), recording everything sent to it.
  const received: { url: string; headers: http.IncomingHttpHeaders }[] = [];
  other = http.createServer((req, res) => {
    received.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'Content-Type': 'text/html', 'Access-Control-Allow-Origin': '*' });
    res.end('<!doctype html><title>other</title><p>another local app</p>');
  });
  await new Promise<void>((resolve) => other!.listen(0, '127.0.0.1', () => resolve()));
  const otherOrigin = `http://127.0.0.1:${(other.address() as { port: number }).port}`;

  await page.goto(host.url);
  await completeFirstRun(page);
  const secret = await secretOf(page);
  expect(secret).toBeTruthy();
  expect(await apiCall(page, 'auth.status', {})).toMatchObject({ session: { username: ADMIN.username } });

  // The logged-in page reaches the other server every way a page can: fetch with credentials, an image, a link it follows.
  await page.evaluate(async (o) => {
    await fetch(`${o}/fetch`, { credentials: 'include' }).catch(() => null);
    await fetch(`${o}/no-cors`, { mode: 'no-cors', credentials: 'include' }).catch(() => null);
    await new Promise((resolve) => {
      const img = new Image();
      img.onload = img.onerror = resolve;
      img.src = `${o}/image.png`;
    });
  }, otherOrigin);
  const second = await context.newPage();
  await second.goto(`${otherOrigin}/navigated`);
  await page.goto(`${otherOrigin}/same-tab`);
  await page.goBack();
  // The navigations reach it (with whatever the browser sends on its own); the page's CSP stops the
  // fetches and the image before they leave. (Favicon requests come and go, so they are not counted.)
  const paths = received.map((r) => r.url);
  expect(paths).toEqual(expect.arrayContaining(['/navigated', '/same-tab']));
  expect(paths.filter((p) => ['/fetch', '/no-cors', '/image.png'].includes(p))).toEqual([]);

  // Nothing that came in names or carries a NeedMap credential.
  const everything = JSON.stringify(received);
  expect(everything).not.toContain(secret!);
  expect(everything.toLowerCase()).not.toContain('needmap_session');
  expect(everything).not.toContain(new URL(host.url).searchParams.get('token')!);
  for (const r of received) {
    expect(r.headers.cookie, r.url).toBeUndefined();
    expect(r.headers['x-needmap-session'], r.url).toBeUndefined();
  }
  expect(await context.cookies()).toEqual([]);

  // Replaying whatever it got cannot call the API: each request's headers as they were, and each header value as a session secret.
  for (const r of received) {
    const { host: _h, 'content-length': _l, connection: _c, ...headers } = r.headers as Record<string, string>;
    const replay = await page.request.post(`${host.origin}/api/call`, {
      headers: { ...headers, 'content-type': 'application/json', 'x-needmap': '1' },
      data: { name: 'clients.search', input: {} },
    });
    expect(replay.status(), r.url).toBe(401);
  }
  for (const value of new Set(received.flatMap((r) => Object.values(r.headers).flat().map(String)))) {
    const replay = await page.request.post(`${host.origin}/api/call`, {
      headers: { 'content-type': 'application/json', 'x-needmap': '1', 'x-needmap-session': value.slice(0, 200) },
      data: { name: 'clients.search', input: {} },
    });
    expect(replay.status()).toBe(401);
  }
  // The tab itself is still logged in.
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
  expect((await apiCall<{ total: number }>(page, 'clients.search', {})).total).toBe(0);
});

test('the start link works once; needmap open gives a new tab its own session, which logs in on its own', async ({ page, context, browser }) => {
  const db = tempDatabase();
  const env = { XDG_CONFIG_HOME: path.join(path.dirname(db), 'config') };
  host = await startHost(db, env);
  await page.goto(host.url);
  await completeFirstRun(page);
  // The token is gone from the address bar at once.
  expect(page.url()).not.toContain('token=');

  // The same link again, in another tab or another browser: a plain page saying how to get a new one.
  const tab2 = await context.newPage();
  const used = await tab2.goto(host.url);
  expect(used!.status()).toBe(410);
  await expect(tab2.getByRole('heading', { name: 'This NeedMap link has already been used' })).toBeVisible();
  await expect(tab2.locator('code')).toHaveText(`needmap open --db ${db}`);
  await screenshot(tab2, '40-sessions-link-used');
  const otherBrowser = await browser.newContext();
  expect((await (await otherBrowser.newPage()).goto(host.url))!.status()).toBe(410);
  await otherBrowser.close();
  // The address without a link: the app says how to connect, and offers nothing else.
  await tab2.goto(host.origin + '/');
  await expect(tab2.getByRole('heading', { name: 'Open NeedMap from a new link' })).toBeVisible();

  // `needmap open` asks the running NeedMap for a new link, through the control file only this user can read.
  const opened = execFileSync(process.execPath, [cli, 'open', '--db', db, '--print'], { encoding: 'utf8', env: { ...process.env, ...env } });
  const fresh = /NEEDMAP_URL=(\S+)/.exec(opened)![1]!;
  expect(fresh).not.toBe(host.url);
  const controlDir = path.join(env.XDG_CONFIG_HOME, 'NeedMap', 'browser-hosts');
  const [controlFile] = fs.readdirSync(controlDir);
  expect(fs.statSync(path.join(controlDir, controlFile!)).mode & 0o077).toBe(0);
  await tab2.goto(fresh);
  // Tab 2 is its own session: not logged in although tab 1 is.
  await expect(tab2.getByRole('heading', { name: 'Log in to NeedMap' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
  await screenshot(tab2, '40-sessions-second-tab');
  await logIn(tab2, ADMIN);
  // Logging out in tab 1 leaves tab 2 logged in, and a reload keeps tab 2's session.
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'Log in to NeedMap' })).toBeVisible();
  await tab2.reload();
  await expect(tab2.getByRole('button', { name: 'Log out' })).toBeVisible();
  expect((await apiCall<{ total: number }>(tab2, 'clients.search', {})).total).toBe(0);
});

test('too many failed logins: the login screen counts down the time left', async ({ page }) => {
  host = await startHost(tempDatabase());
  await page.goto(host.url);
  await completeFirstRun(page);
  await page.getByRole('button', { name: 'Log out' }).click();
  const logInButton = page.getByRole('button', { name: 'Log in' });
  // Three failures cost nothing; then the waits grow: 1 s after the fourth, 2 s after the fifth, 4 s after the sixth.
  for (let i = 0; i < 6; i++) {
    await expect(logInButton).toBeEnabled({ timeout: 10_000 });
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(`wrong password ${i}`);
    await logInButton.click();
    await expect(page.getByLabel('Password')).toHaveValue(''); // the answer has come
  }
  await expect(page.getByText('That username and password do not match an active account.').first()).toBeVisible();
  // The screen says how long, counts down, and the button waits too.
  await expect(page.getByText(/You can try again in [1-4] s\./)).toBeVisible();
  await expect(logInButton).toBeDisabled();
  await screenshot(page, '40-sessions-login-throttled');
  await expect(logInButton).toBeEnabled({ timeout: 10_000 });
  await logIn(page, ADMIN);
});

test('a serve killed with SIGKILL leaves its lock; the next start takes it over and nothing is lost', async ({ page }) => {
  const db = tempDatabase();
  host = await startHost(db);
  await page.goto(host.url);
  await completeFirstRun(page);
  await apiCall(page, 'clients.create', {
    client: { firstName: 'Kasia', lastName: 'Lock', dateOfBirth: '1980-02-02', postcode: 'SE13 6AA', consentToRecord: true, consentDate: '2026-01-10' },
    confirmedNotDuplicate: true,
  });
  // A second serve on the same database is refused, naming the first.
  const second = spawn(process.execPath, [cli, 'serve', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
  let refusal = '';
  second.stderr!.on('data', (c: Buffer) => (refusal += c.toString()));
  expect(await new Promise((resolve) => second.on('exit', resolve))).toBe(1);
  expect(refusal).toMatch(new RegExp(`in use by NeedMap \\(process ${host.process.pid}, since `));

  host.process.kill('SIGKILL');
  await new Promise((resolve) => host!.process.once('exit', resolve));
  expect(JSON.parse(fs.readFileSync(`${db}.lock`, 'utf8')).pid).toBe(host.process.pid);
  host = await startHost(db);
  expect(JSON.parse(fs.readFileSync(`${db}.lock`, 'utf8')).pid).toBe(host.process.pid);
  await page.goto(host.url);
  await logIn(page, ADMIN);
  await page.getByRole('searchbox').fill('lock');
  await expect(page.getByRole('link', { name: 'Lock, Kasia' })).toBeVisible();
});

test('the restore screen previews a backup, restores it and re-applies an erasure made since', async ({ page }) => {
  host = await startHost(tempDatabase());
  await page.goto(host.url);
  await completeFirstRun(page);
  const created = await apiCall<{ id: number }>(page, 'clients.create', {
    client: { firstName: 'Halina', lastName: 'Erasable', dateOfBirth: '1979-05-02', postcode: 'SE13 6AA', consentToRecord: true, consentDate: '2026-01-10' },
    confirmedNotDuplicate: true,
  });
  await apiCall(page, 'protect.backupNow', {});
  await apiCall(page, 'protect.eraseClient', { clientId: created.id });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data protection' }).click();
  await page.getByRole('link', { name: 'Restore a backup…' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Restore a backup');
  await page.getByRole('button', { name: /^needmap-\d{8}-\d{9}\.db$/ }).click();
  const preview = page.getByRole('region', { name: 'What the backup holds' });
  await expect(preview).toContainText('1 person erased since this backup was made will be erased again straight away');
  await expect(preview).toContainText('set aside in a copy of the current database');
  const restore = page.getByRole('button', { name: 'Restore this backup' });
  await expect(restore).toBeDisabled();
  await page.getByLabel(/Replace newer records/).check();
  await screenshot(page, '40-sessions-restore-preview');
  await restore.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Backup restored');
  await expect(page.getByRole('status')).toContainText(`re-applied 1 erasure (client ${created.id})`);
  await screenshot(page, '40-sessions-restored');
  await page.getByRole('button', { name: 'Log in again' }).click();
  await logIn(page, ADMIN);
  await page.goto(`${host.origin}/#/clients/${created.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Erased client');
  await expect(page.getByText('Halina')).toHaveCount(0);
});
