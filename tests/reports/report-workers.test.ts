/**
 * Reports read in worker threads (src-main/db/reports/read-pool.ts): the same figures as read in
 * the calling thread, for every report call, on a real demo database plain and encrypted (a raw key
 * and a passphrase); a save made while a report is being read completes before it (ordering, not
 * timing); the same error shapes; and reading in the calling thread when no worker can start.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppContext, demoPostcodes } from '../../src-main/app-context.ts';
import { generateDemoClients } from '../../src-main/core/demo.ts';
import { geographyFor } from '../../src-main/core/geography.ts';
import { writeDemoClients } from '../../src-main/db/demo.ts';
import { readIodEdition } from '../../src-main/db/geo/settings.ts';
import { unlockWithSecret } from '../../src-main/db/key-slots.ts';
import type { CallName } from '../../src-main/ipc/contract.ts';
import type { AppContext } from '../../src-main/ipc/handlers.ts';
import { ReportReadPool } from '../../src-main/db/reports/read-pool.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { aClient, callOk, dispatch, loginTestAdmin, NEEDMAP_CLI, tempDir } from '../helpers.ts';

const opened: AppContext[] = [];
afterEach(() => {
  for (const ctx of opened.splice(0)) ctx.close();
});

/** `needmap demo` as an administrator runs it: a real demo caseload, encrypted when a key is given. */
function demoDatabase(key: string | null, clients = 300): string {
  const file = path.join(tempDir(), 'demo.db');
  const made = spawnSync(process.execPath, [NEEDMAP_CLI, 'demo', '--db', file, '--clients', String(clients), '--end', '2026-10'], {
    encoding: 'utf8',
    env: { ...process.env, NEEDMAP_DB_KEY: key ?? '' },
  });
  if (made.status !== 0) throw new Error(made.stderr);
  return file;
}

function contextOn(file: string, key?: string | Buffer): AppContext {
  const ctx = createAppContext({ dbFile: file, paths: defaultAppPaths(), host: 'browser', ...(key ? { key } : {}) });
  opened.push(ctx);
  loginTestAdmin(ctx);
  return ctx;
}

/** How many of this process's file descriptors (every thread's) are open on `file` (Linux; elsewhere not counted: 2). */
function openHandles(file: string): number {
  if (process.platform !== 'linux') return 2;
  const real = fs.realpathSync(file);
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) === real) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

const whole = { from: '2025-01-01', to: '2026-10-31' };

/** Every report call, with filters that take each report down its different paths. */
function reportCalls(ctx: AppContext): [CallName, unknown][] {
  const issue = ctx.taxonomy.issues[3]!;
  const filters = [
    whole,
    { from: '2026-03-01', to: '2026-08-31' }, // whole months
    { from: '2026-03-10', to: '2026-08-20', remit: 'within' }, // part months
    { ...whole, category: issue.category },
    { ...whole, category: issue.category, issueCode: issue.code },
  ];
  const names: CallName[] = ['reports.need', 'reports.trend', 'reports.where', 'reports.deciles', 'reports.referrals', 'reports.frameworks'];
  return [
    ['reports.filterOptions', {}],
    ...filters.flatMap((filter) => names.map((name): [CallName, unknown] => [name, { filter }])),
    ...filters.map((filter): [CallName, unknown] => ['reports.impact', { filter, openOlderThanDays: 30 }]),
  ];
}

/** Each call read by the workers and then in this thread (the pool set aside): the same results. */
async function expectSameBothWays(ctx: AppContext): Promise<void> {
  const pool = ctx.reportReaders!;
  expect(await pool.ready()).toBe(true);
  for (const [name, input] of reportCalls(ctx)) {
    const before = pool.stats.inWorker;
    const inWorker = await dispatch(name, input, ctx);
    expect(pool.stats.inWorker, `${name} was read by a worker`).toBe(before + 1);
    ctx.reportReaders = undefined;
    const inThread = await dispatch(name, input, ctx);
    ctx.reportReaders = pool;
    expect(inThread.ok, JSON.stringify(inThread)).toBe(true);
    expect(inWorker, `${name} ${JSON.stringify(input)}`).toEqual(inThread);
  }
}

describe('reports read in worker threads', () => {
  it('give the same results as in the calling thread: a plain demo database', async () => {
    const ctx = contextOn(demoDatabase(null));
    await expectSameBothWays(ctx);
  });

  it('give the same results on an encrypted demo database: a raw key, the key slot a passphrase opens, a passphrase-keyed file', async () => {
    const hexKey = 'b16b00b5'.repeat(8);
    const raw = contextOn(demoDatabase(hexKey), Buffer.from(hexKey, 'hex'));
    await expectSameBothWays(raw);
    // `needmap serve` with a passphrase: it opens a key slot, and the raw key inside opens the file.
    const slotFile = demoDatabase('a demo passphrase for the workers', 120);
    const slot = contextOn(slotFile, unlockWithSecret(slotFile, 'a demo passphrase for the workers')!);
    await expectSameBothWays(slot);
    // A file keyed by a passphrase itself (SQLCipher's key derivation), filled as `needmap demo` fills one.
    const passphrase = contextOn(path.join(tempDir(), 'passphrase.db'), 'a passphrase keys this file');
    const edition = readIodEdition(passphrase.caseDb.db);
    const clients = generateDemoClients({
      seed: 3,
      clients: 150,
      endMonth: '2026-10',
      issues: passphrase.taxonomy.issues,
      postcodes: demoPostcodes(passphrase.paths, passphrase.neighbourhoods),
      remitCategories: ['money-debt', 'benefits', 'housing'],
    });
    writeDemoClients(passphrase.caseDb, clients, (postcode) => geographyFor(postcode, passphrase.neighbourhoods, edition));
    await expectSameBothWays(passphrase);
  });

  it('see a save committed just before, and let saves complete while a report is being read', async () => {
    const ctx = contextOn(demoDatabase(null, 1500));
    expect(await ctx.reportReaders!.ready()).toBe(true);
    const people = async () => ((await callOk(ctx, 'reports.need', { filter: whole })) as { totals: { people: number } }).totals.people;
    const clientsBefore = await people();
    // Recorded and at once counted by the worker's own connection.
    const created = await callOk(ctx, 'clients.create', { client: { ...aClient, postcode: null }, confirmedNotDuplicate: true });
    if (created.kind !== 'created') throw new Error('not created');
    const issueCode = ctx.taxonomy.issues[0]!.code;
    const contact = (n: number) => ({
      clientId: created.id,
      contactDate: '2026-05-0' + (1 + (n % 9)),
      kind: 'appointment' as const,
      staffName: 'Sam Reid',
      issues: n === 0 ? [{ issueCode, withinRemit: true, referredTo: null }] : [],
    });
    await callOk(ctx, 'contacts.record', contact(0));
    expect(await people()).toBe(clientsBefore + 1);

    // In order: a report, then saves one after another until it answers. In a worker, saves are
    // not queued behind it; read in this thread, the report would answer before the first save.
    const order: string[] = [];
    const ordered = async (pool: ReportReadPool | undefined) => {
      ctx.reportReaders = pool;
      order.length = 0;
      let reportDone = false;
      const report = dispatch('reports.impact', { filter: whole, openOlderThanDays: 30 }, ctx).then((r) => {
        reportDone = true;
        order.push('report');
        return r;
      });
      for (let n = 1; n <= 20 && !reportDone; n++) {
        await callOk(ctx, 'contacts.record', contact(n));
        if (!reportDone) order.push('save');
      }
      expect((await report).ok).toBe(true);
      return [...order];
    };
    const pool = ctx.reportReaders!;
    const inWorker = await ordered(pool);
    expect(inWorker[0]).toBe('save');
    expect(inWorker).toContain('report');
    const inThread = await ordered(undefined);
    expect(inThread[0]).toBe('report');
    ctx.reportReaders = pool;
  });

  it('refuse a bad filter with the same field errors, and fail a broken read with the same internal error', async () => {
    const ctx = contextOn(demoDatabase(null, 50));
    const pool = ctx.reportReaders!;
    expect(await pool.ready()).toBe(true);
    const bad = { filter: { ...whole, issueCode: 'NOT-AN-ISSUE' } };
    const refusedInWorker = await dispatch('reports.need', bad, ctx);
    ctx.reportReaders = undefined;
    const refusedInThread = await dispatch('reports.need', bad, ctx);
    ctx.reportReaders = pool;
    expect(refusedInWorker).toEqual(refusedInThread);
    expect(refusedInWorker).toMatchObject({ ok: false, error: { code: 'invalid_input', fieldErrors: { 'filter.issueCode': [expect.any(String)] } } });

    // A summary table gone (a damaged file): both ways the same plain internal error.
    ctx.caseDb.sqlite.exec('DROP TABLE report_referral_facts');
    const before = pool.stats.inWorker;
    const brokenInWorker = await dispatch('reports.referrals', { filter: whole }, ctx);
    expect(pool.stats.inWorker).toBe(before + 1);
    ctx.reportReaders = undefined;
    const brokenInThread = await dispatch('reports.referrals', { filter: whole }, ctx);
    ctx.reportReaders = pool;
    expect(brokenInWorker).toEqual(brokenInThread);
    expect(brokenInWorker).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('read in the calling thread when no worker can start, or none is wanted', async () => {
    const file = demoDatabase(null, 50);
    const ctx = contextOn(file);
    const expected = await callOk(ctx, 'reports.need', { filter: whole });
    for (const pool of [
      new ReportReadPool({ taxonomy: ctx.taxonomy, source: { file: path.join(tempDir(), 'no-such-worker.mjs'), eval: false } }),
      new ReportReadPool({ taxonomy: ctx.taxonomy, source: null }),
      new ReportReadPool({ taxonomy: ctx.taxonomy, size: 0 }),
    ]) {
      ctx.reportReaders = pool;
      await pool.ready();
      expect(await callOk(ctx, 'reports.need', { filter: whole })).toEqual(expected);
      expect(pool.stats).toEqual({ inWorker: 0, inThread: 1 });
      await pool.close();
    }
  });

  it('close the workers’ connections with the main one (no handle on the file left), and read through a new one after the next login', async () => {
    const hexKey = '5eed'.repeat(16);
    const ctx = contextOn(demoDatabase(hexKey, 50), Buffer.from(hexKey, 'hex'));
    const pool = ctx.reportReaders!;
    expect(await pool.ready()).toBe(true);
    const first = await callOk(ctx, 'reports.filterOptions', {});
    const caseDb = ctx.caseDb;
    expect(openHandles(caseDb.file)).toBeGreaterThanOrEqual(2); // this thread's connection and the worker's
    caseDb.close(); // as a lock does: the workers are told to close theirs too
    if (process.platform === 'linux') await expect.poll(() => openHandles(caseDb.file), { timeout: 5000 }).toBe(0);
    ctx.caseDb = ctx.openCaseDb!(ctx.dataKey!);
    const before = pool.stats.inWorker;
    expect(await callOk(ctx, 'reports.filterOptions', {})).toEqual(first);
    expect(pool.stats.inWorker).toBe(before + 1);
  });
});
