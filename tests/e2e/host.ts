/** Starts the real browser host (`needmap serve`) as a separate process on a given database. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const screenshotDir = path.join(root, 'tests', 'e2e', 'screenshots');

export interface RunningHost {
  url: string;
  origin: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function tempDatabase(name = 'case.db'): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'needmap-e2e-')), name);
}

export function runCli(args: string[]): string {
  return execFileSync(process.execPath, [path.join(root, 'src-main', 'cli', 'needmap.mjs'), ...args], { encoding: 'utf8' });
}

export async function startHost(dbFile: string, extraEnv: Record<string, string> = {}): Promise<RunningHost> {
  const child = spawn(process.execPath, [path.join(root, 'src-main', 'cli', 'needmap.mjs'), 'serve', '--db', dbFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...extraEnv },
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The host did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /NEEDMAP_URL=(\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The host exited (${code}):\n${output}`));
    });
  });
  return {
    url,
    origin: new URL(url).origin,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** One part of the page (a panel, a form), for a screenshot that shows it at a readable size. */
export async function screenshotOf(locator: Locator, name: string): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await locator.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

export const ADMIN = { username: 'admin.jo', password: 'a long enough passphrase', name: 'Jo Admin' };

/** The first-run wizard: creates the organisation's admin, who is then logged in. */
export async function completeFirstRun(page: Page, shot?: string): Promise<void> {
  await page.getByRole('heading', { name: 'Welcome to NeedMap' }).waitFor();
  await page.getByLabel('Organisation name').fill('Riverside Advice Centre');
  await page.getByLabel('Your name').fill(ADMIN.name);
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('Password again').fill(ADMIN.password);
  if (shot) await screenshot(page, shot);
  await page.getByRole('button', { name: 'Create administrator and start' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

export async function logIn(page: Page, user = ADMIN): Promise<void> {
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}
