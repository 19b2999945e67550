/**
 * One writing process per database file (issue 12): the app / `needmap serve` (here: a child that
 * does what they do first, createAppContext) holds `<db>.lock`; a second writer — another serve,
 * erase, restore, demo --replace, export — exits with "in use by NeedMap (process N, since …)";
 * read-only commands still work. A holder killed with SIGKILL leaves a stale lock that the next
 * start takes over cleanly; a reused process id is told apart by its start time.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDatabaseLock, lockFileOf } from '../../src-main/db/database-lock.ts';
import { processStartTime } from '../../src-main/db/process-start.ts';
import { openCaseDatabase } from '../../src-main/db/open.ts';
import { pendingJournalEntries } from '../../src-main/db/protect/audit-journal.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { NEEDMAP_CLI, tempDir } from '../helpers.ts';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const needmap = (...args: string[]) => spawnSync(process.execPath, [NEEDMAP_CLI, ...args], { encoding: 'utf8', env: { ...process.env, NEEDMAP_DB_KEY: '' } });

/** Starts a child script (run through tsx) and resolves with its first line of output. */
function startChild(script: string, ...args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(fixtures, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve({ child, line: out.slice(0, newline) });
    });
    child.on('exit', (code) => setTimeout(() => reject(new Error(`${script} exited (${code}) before saying anything: ${out}${err}`)), 50));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

function demoDatabase(): string {
  const file = path.join(tempDir(), 'case.db');
  const made = needmap('demo', '--db', file, '--clients', '20', '--seed', '3', '--end', '2026-06');
  expect(made.status, made.stderr).toBe(0);
  return file;
}

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const IN_USE = (pid: number) => new RegExp(`in use by NeedMap \\(process ${pid}, since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC; needmap serve\\)`);

describe('the database lock', () => {
  it('refuses a second writer naming the holder, lets read-only commands work, and journals a backup made beside it', async () => {
    const file = demoDatabase();
    const backup = path.join(path.dirname(file), 'before.db');
    expect(needmap('backup', '--db', file, '--out', backup).status).toBe(0);
    const { child: holder, line } = await startChild('hold-database.ts', file);
    expect(line).toBe(`HOLDING ${holder.pid}`);
    expect(JSON.parse(fs.readFileSync(lockFileOf(file), 'utf8'))).toMatchObject({ pid: holder.pid, hostname: os.hostname(), purpose: 'needmap serve' });
    const before = sha(file);

    // A second app or serve on the same file.
    const second = await startChild('hold-database.ts', file);
    expect(second.line).toMatch(IN_USE(holder.pid!));
    const serve = needmap('serve', '--db', file);
    expect(serve.status).toBe(1);
    expect(serve.stderr).toMatch(IN_USE(holder.pid!));
    // Every CLI command that writes.
    for (const args of [
      ['erase', '--db', file, '--client', '1'],
      ['restore', '--db', file, '--from', backup, '--force'],
      ['demo', '--db', file, '--clients', '5', '--replace'],
      ['export', '--db', file, '--from', '2026-01', '--to', '2026-02', '--out', path.join(path.dirname(file), 'x.needmap-bundle')],
    ]) {
      const run = needmap(...args);
      expect(run.status, args.join(' ')).toBe(1);
      expect(run.stderr, args.join(' ')).toMatch(IN_USE(holder.pid!));
    }
    expect(sha(file)).toBe(before);
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.includes('.replaced-'))).toEqual([]);

    // Reading still works: verify the audit log, back up, export the audit log (their own entries wait in the journal).
    expect(needmap('audit', 'verify', '--db', file).status).toBe(0);
    const copy = path.join(path.dirname(file), 'while-running.db');
    const backedUp = needmap('backup', '--db', file, '--out', copy);
    expect(backedUp.status, backedUp.stderr).toBe(0);
    expect(fs.existsSync(copy)).toBe(true);
    expect(needmap('audit', 'export', '--db', file, '--out', path.join(path.dirname(file), 'audit.csv')).status).toBe(0);
    expect(pendingJournalEntries(file)).toBe(2);

    // A clean close removes the lock; the next writer runs and chains the journal into the audit log.
    holder.kill('SIGTERM');
    await exited(holder);
    expect(fs.existsSync(lockFileOf(file))).toBe(false);
    const erase = needmap('erase', '--db', file, '--client', '1');
    expect(erase.status, erase.stderr).toBe(0);
    expect(pendingJournalEntries(file)).toBe(0);
    const db = openCaseDatabase(file, { migrationsDir: defaultAppPaths().migrationsDir, readonly: true });
    const actions = db.sqlite.prepare("SELECT action, detail FROM audit_log WHERE detail LIKE '%whileInUse%' ORDER BY id").all() as { action: string }[];
    db.close();
    expect(actions.map((a) => a.action)).toEqual(['backup', 'audit.export']);
    expect(needmap('audit', 'verify', '--db', file).stdout).toMatch(/Audit log intact/);
  });

  it('a holder killed with SIGKILL leaves a stale lock that the next start takes over cleanly', async () => {
    const file = demoDatabase();
    const first = await startChild('hold-database.ts', file);
    expect(first.line).toBe(`HOLDING ${first.child.pid}`);
    first.child.kill('SIGKILL');
    await exited(first.child);
    // The lock is still there, naming a process that no longer runs…
    expect(JSON.parse(fs.readFileSync(lockFileOf(file), 'utf8')).pid).toBe(first.child.pid);
    // …and the next start takes it over.
    const next = await startChild('hold-database.ts', file);
    expect(next.line).toBe(`HOLDING ${next.child.pid}`);
    expect(JSON.parse(fs.readFileSync(lockFileOf(file), 'utf8')).pid).toBe(next.child.pid);
    expect(needmap('erase', '--db', file, '--client', '2').stderr).toMatch(IN_USE(next.child.pid!));
    next.child.kill('SIGTERM');
    await exited(next.child);
    expect(needmap('erase', '--db', file, '--client', '2').status).toBe(0);
  });

  it('tells a reused process id from the holder by its start time', async () => {
    const file = path.join(tempDir(), 'case.db');
    const lockWith = (pid: number, startedAt: string) =>
      fs.writeFileSync(
        lockFileOf(file),
        JSON.stringify({ format: 'needmap-lock', pid, processStartedAt: startedAt, lockedAt: startedAt, hostname: os.hostname(), purpose: 'needmap serve' }),
      );
    // A live process (this test runner) whose start time is not the holder's: the holder died and its id was reused.
    lockWith(process.pid, '2001-01-01T00:00:00.000Z');
    const taken = await startChild('lock-racer.ts', file);
    expect(taken.line).toBe('GOT');
    await exited(taken.child);

    // A live process that really started then: it is the holder.
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    children.push(sleeper);
    await new Promise((r) => setTimeout(r, 200));
    const started = processStartTime(sleeper.pid!);
    if (!started) return; // an OS that does not say (the pid check alone then decides)
    lockWith(sleeper.pid!, started.toISOString());
    const refused = await startChild('lock-racer.ts', file);
    expect(refused.line).toMatch(`REFUSED`);
    expect(refused.line).toMatch(IN_USE(sleeper.pid!));
  });

  it('when several processes find the same stale lock, exactly one takes it', async () => {
    const file = path.join(tempDir(), 'case.db');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout);
    const at = new Date().toISOString();
    fs.writeFileSync(
      lockFileOf(file),
      JSON.stringify({ format: 'needmap-lock', pid: deadPid, processStartedAt: at, lockedAt: at, hostname: os.hostname(), purpose: 'needmap serve' }),
    );
    const lines = await Promise.all([1, 2, 3, 4].map(() => startChild('lock-racer.ts', file).then((r) => r.line)));
    expect(lines.filter((l) => l === 'GOT')).toHaveLength(1);
    for (const line of lines.filter((l) => l !== 'GOT')) expect(line).toMatch(/REFUSED .*in use by NeedMap/);
  });

  it('is counted within one process and removed by the last release', () => {
    const file = path.join(tempDir(), 'case.db');
    const a = acquireDatabaseLock(file, 'test');
    const b = acquireDatabaseLock(file, 'test');
    a.release();
    a.release(); // twice is harmless
    expect(fs.existsSync(lockFileOf(file))).toBe(true);
    b.release();
    expect(fs.existsSync(lockFileOf(file))).toBe(false);
  });
});
