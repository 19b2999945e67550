/**
 * Start-up, as a person meets it. In fresh processes, medians, each beside a baseline from the
 * same run (a bare `node -e 0`, what any Node program pays):
 *   - `needmap --help` (target < 0.3 s);
 *   - `needmap serve` ready (its start link printed) on a 2,000-client database (target < 1 s);
 *   - in Chromium (Playwright, Debian's /usr/bin/chromium) against the browser host on encrypted
 *     databases of 5k, 20k and 100k clients: launch → login screen (the host started, the page
 *     loaded, the login form shown) and login → first screen (password checked, database opened
 *     with the person's key slot, the client list shown with its first page). Target < 2 s each.
 * BENCH_STARTUP_ROOT=/path/to/another/checkout times that checkout's `needmap` instead (the
 * databases are made by this one), for a before/after on the same machine and data.
 * BENCH_STARTUP_SIZES=5000,20000 picks sizes; 100000 uses the shared ~1M-record bench database.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createAppContext } from '../src-main/app-context.ts';
import { generateDataKey } from '../src-main/core/protect/keys.ts';
import { openCaseDatabase } from '../src-main/db/open.ts';
import { encryptInPlace } from '../src-main/db/protect/encrypt.ts';
import { dispatch } from '../src-main/ipc/handlers.ts';
import { defaultAppPaths } from '../src-main/paths.ts';
import { benchDatabase } from './demo-db.ts';
import type { BenchContext } from './run.ts';

const ADMIN = { username: 'bench.admin', password: 'a long bench passphrase' };
const here = path.dirname(new URL(import.meta.url).pathname);
const thisRoot = path.resolve(here, '..');
const root = process.env.BENCH_STARTUP_ROOT ? path.resolve(process.env.BENCH_STARTUP_ROOT) : thisRoot;
const cli = path.join(root, 'src-main', 'cli', 'needmap.mjs');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function wallMs(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t = performance.now();
  const r = spawnSync(command, args, { env, stdio: 'ignore' });
  if (r.status !== 0 && r.status !== 2) throw new Error(`${command} ${args.join(' ')} exited ${r.status}`);
  return performance.now() - t;
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

/** A plain demo database of `clients` (built once), copied, encrypted and given an admin with a key slot. */
async function encryptedDatabase(bench: BenchContext, clients: number): Promise<string> {
  const file = path.join(bench.outDir, `startup-encrypted-${clients}.db`);
  if (fs.existsSync(file) && fs.existsSync(`${file}.keys.json`)) return file;
  let plain: string;
  if (clients === 100_000) plain = benchDatabase({ ...bench, clients: 100_000 });
  else {
    plain = path.join(bench.outDir, `startup-plain-${clients}.db`);
    if (!fs.existsSync(plain)) {
      execFileSync(
        process.execPath,
        [path.join(thisRoot, 'src-main/cli/needmap.mjs'), 'demo', '--db', plain, '--clients', String(clients), '--seed', '1', '--end', '2026-10'],
        {
          stdio: 'inherit',
        },
      );
    }
  }
  for (const suffix of ['', '-wal', '-shm', '.keys.json']) fs.rmSync(file + suffix, { force: true });
  fs.copyFileSync(plain, file);
  const key = generateDataKey();
  const paths = defaultAppPaths();
  const db = openCaseDatabase(file, { migrationsDir: paths.migrationsDir });
  encryptInPlace(db, key);
  db.close();
  const ctx = createAppContext({ dbFile: file, paths, host: 'browser', key, areaDbFile: path.join(bench.outDir, 'startup-area.db') });
  try {
    const session = ctx.sessions.attach('test');
    const r = await dispatch('auth.setupAdmin', { organisationName: 'Bench', displayName: 'Bench Admin', ...ADMIN }, ctx, session);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
  } finally {
    ctx.close();
  }
  return file;
}

interface Host {
  url: string;
  stop(): Promise<void>;
}

function startHost(dbFile: string): Promise<Host> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'needmap-startup-'));
  const child = spawn(process.execPath, [cli, 'serve', '--db', dbFile], {
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home, NEEDMAP_DB_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      const m = /NEEDMAP_URL=(\S+)/.exec(output);
      if (m)
        resolve({
          url: m[1]!,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
    });
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => reject(new Error(`serve exited (${code}): ${output}`)));
  });
}

async function serveReady(dbFile: string, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const host = await startHost(dbFile);
    times.push(performance.now() - t);
    await host.stop();
  }
  return median(times);
}

/** One start: launch → login screen, login → first screen (ms), and when the background check reported (ms after login; null if this host has none). */
async function personStart(browser: Browser, dbFile: string): Promise<{ toLogin: number; toFirstScreen: number; checked: number | null }> {
  const page = await browser.newPage();
  const t0 = performance.now();
  const host = await startHost(dbFile);
  try {
    await page.goto(host.url);
    await page.getByRole('heading', { name: 'Log in to NeedMap' }).waitFor();
    const toLogin = performance.now() - t0;
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    const t1 = performance.now();
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('.result-count', { hasText: /^\d[\d,]* clients?$/ }).waitFor({ timeout: 120_000 });
    await page.locator('table.data-table tbody tr').first().waitFor();
    const toFirstScreen = performance.now() - t1;
    let checked: number | null = null;
    for (let i = 0; i < 600; i++) {
      const state = await page.evaluate(async () => {
        const r = await fetch('/api/call', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-needmap': '1', 'x-needmap-session': sessionStorage.getItem('needmap.session') ?? '' },
          body: JSON.stringify({ name: 'auth.status', input: {} }),
        });
        const body = (await r.json()) as { ok: boolean; value?: { integrity?: { state: string } } };
        return body.value?.integrity?.state ?? null;
      });
      if (state === null) break; // a host without the background check (it checked before opening)
      if (state === 'ok' || state === 'damaged') {
        checked = performance.now() - t1;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // Logged out, the encrypted database closes, so the host's backup on close does not copy it.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in to NeedMap' }).waitFor();
    return { toLogin, toFirstScreen, checked };
  } finally {
    await page.close();
    await host.stop();
  }
}

export async function run(bench: BenchContext): Promise<void> {
  console.log(`needmap from ${root}; load average ${loadAverage()} on ${os.availableParallelism()} CPUs`);
  const nodeBaseline = median(Array.from({ length: 11 }, () => wallMs(process.execPath, ['-e', '0'])));
  wallMs(process.execPath, [cli, '--help']); // a stale build is rebuilt once, not timed
  const help = median(Array.from({ length: 11 }, () => wallMs(process.execPath, [cli, '--help'])));
  console.log(
    `needmap --help: ${help.toFixed(0)} ms — target < 300 ms; baseline node -e 0: ${nodeBaseline.toFixed(0)} ms (×${(help / nodeBaseline).toFixed(1)})`,
  );

  const small = path.join(bench.outDir, 'startup-plain-2000.db');
  if (!fs.existsSync(small)) {
    execFileSync(
      process.execPath,
      [path.join(thisRoot, 'src-main/cli/needmap.mjs'), 'demo', '--db', small, '--clients', '2000', '--seed', '1', '--end', '2026-10'],
      {
        stdio: 'inherit',
      },
    );
  }
  const serve = await serveReady(small, 5);
  console.log(
    `needmap serve ready (start link printed), 2,000 clients: ${serve.toFixed(0)} ms — target < 1000 ms; baseline node -e 0 ×${(serve / nodeBaseline).toFixed(1)}`,
  );

  const sizes = (process.env.BENCH_STARTUP_SIZES ?? '5000,20000,100000').split(',').map(Number);
  const browser = await chromium.launch({
    executablePath: process.env.NEEDMAP_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  try {
    console.log('\n| encrypted database | launch → login screen ms | login → first screen ms | background check done after login ms | load |');
    console.log('|---|---:|---:|---:|---|');
    for (const clients of sizes) {
      const file = await encryptedDatabase(bench, clients);
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await personStart(browser, file));
      const checked = runs.map((r) => r.checked).filter((c): c is number => c !== null);
      console.log(
        `| ${clients.toLocaleString('en-GB')} clients${clients === 100_000 ? ' (~1M issue records)' : ''} | ${median(runs.map((r) => r.toLogin)).toFixed(0)} | ` +
          `${median(runs.map((r) => r.toFirstScreen)).toFixed(0)} | ${checked.length ? median(checked).toFixed(0) : 'checked before opening'} | ${loadAverage()} |`,
      );
    }
  } finally {
    await browser.close();
  }
}
