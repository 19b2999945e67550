/**
 * What issue 12 adds to every open of the case database for writing (each start and each login of
 * an encrypted one): re-checking the erasure register, the database id and the audit journal
 * (db/protect/reconcile.ts), and taking the database lock. The register is read from the point the
 * database had reached (kept in it), so the usual open hashes the register rather than looking up
 * every line; both are timed. The register is read from the point the
 * database had reached (kept in it), so the usual open hashes the register rather than looking up
 * every line; both are timed. Timed on a copy of the shared demo
 * database against two baselines measured in the same run: opening that database (after its
 * first quick_check) and one Argon2id password check (what every login costs anyway).
 */
import fs from 'node:fs';
import path from 'node:path';
import { verifyPassword, hashPassword } from '../src-main/core/protect/keys.ts';
import { acquireDatabaseLock } from '../src-main/db/database-lock.ts';
import { openCaseDatabase } from '../src-main/db/open.ts';
import { APPLIED_SETTING, erasureRegisterFile, ensureDatabaseId } from '../src-main/db/protect/erasure-register.ts';
import { reconcileOnOpen } from '../src-main/db/protect/reconcile.ts';
import { defaultAppPaths } from '../src-main/paths.ts';
import { benchDatabase, timeMedian } from './demo-db.ts';
import type { BenchContext } from './run.ts';

const migrationsDir = defaultAppPaths().migrationsDir;

export async function run(bench: BenchContext): Promise<void> {
  const file = path.join(bench.outDir, 'reconcile.db');
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  fs.rmSync(erasureRegisterFile(file), { force: true });
  fs.copyFileSync(benchDatabase(bench), file);

  const openClose = () => openCaseDatabase(file, { migrationsDir }).close();
  openClose(); // the once-per-process quick_check
  const hash = hashPassword('a bench password of some length');
  const baselines = { open: timeMedian(openClose, 9), argon2: timeMedian(() => verifyPassword(hash, 'not the password'), 9) };
  console.log(`baselines: open the database ${baselines.open.toFixed(2)} ms; one Argon2id password check ${baselines.argon2.toFixed(2)} ms\n`);
  console.log('| what | ms | ÷ open | ÷ Argon2id check |');
  console.log('|---|---:|---:|---:|');
  const row = (what: string, ms: number) =>
    console.log(`| ${what} | ${ms.toFixed(3)} | ${(ms / baselines.open).toFixed(2)} | ${(ms / baselines.argon2).toFixed(2)} |`);

  const db = openCaseDatabase(file, { migrationsDir });
  row(
    'reconcile, no register',
    timeMedian(() => reconcileOnOpen(db), 9),
  );
  const databaseId = ensureDatabaseId(db.db);
  for (const size of [1_000, 10_000]) {
    // The steady state: every listed client is already erased in the database, so nothing is written.
    db.sqlite.prepare("UPDATE clients SET erased_at = '2026-01-01T00:00:00.000Z' WHERE id <= ?").run(size);
    const lines = [JSON.stringify({ format: 'needmap-erasure-register', version: 1, databaseId })];
    for (let id = 1; id <= size; id++) lines.push(JSON.stringify({ kind: 'erasure', clientId: id, at: '2026-01-01T00:00:00.000Z' }));
    fs.writeFileSync(erasureRegisterFile(file), lines.join('\n') + '\n');
    const forget = db.sqlite.prepare('DELETE FROM settings WHERE key = ?');
    // Read from the start: a database with no record of how far it got (a backup from before this, another register).
    const everyLine = timeMedian(() => {
      forget.run(APPLIED_SETTING);
      reconcileOnOpen(db);
    }, 9);
    row(`reconcile, register of ${size.toLocaleString('en-GB')} erasures, every line checked`, everyLine);
    // The usual open: every line already applied to this database, so only the register is read and hashed.
    row(
      `reconcile, register of ${size.toLocaleString('en-GB')} erasures, all already applied`,
      timeMedian(() => reconcileOnOpen(db), 9),
    );
  }
  db.close();
  row(
    'take and give up the database lock',
    timeMedian(() => acquireDatabaseLock(file, 'bench').release(), 21),
  );

  for (const suffix of ['', '-wal', '-shm', '.erasures.jsonl']) fs.rmSync(file + suffix, { force: true });
}
