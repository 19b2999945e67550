/**
 * Where an encrypted write's cost is (issue 17, item 3): the same workload — recording a contact
 * with one within-remit issue, as the app does — on copies of one demo database, plain and
 * encrypted in several ways, interleaved so drift on a shared machine hits each alike; medians
 * with the plain copy as the baseline of the same run. Per variant also: pages written to the WAL
 * per recorded contact (frames, with checkpoints off), and the raw cost of writing and reading
 * 4 KiB pages (a table of random blobs), which is what encryption adds per page.
 *
 * Variants: plain; SQLCipher as the app uses it (AES-256-CBC, HMAC-SHA512 per page, raw key so no
 * KDF); SQLCipher with HMAC-SHA256; SQLCipher without a per-page HMAC (NOT acceptable — pages
 * could be altered unnoticed — measured only to attribute the cost); ChaCha20-Poly1305 (SQLite3
 * Multiple Ciphers' default); and the app's SQLCipher on 8 KiB pages.
 * BENCH_WRITES_CLIENTS (default 20000) picks the demo database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { openCaseDatabase, type CaseDatabase } from '../src-main/db/open.ts';
import * as schema from '../src-main/db/schema.ts';
import { recordContact } from '../src-main/db/recording.ts';
import { defaultAppPaths } from '../src-main/paths.ts';
import { timeMedian } from './demo-db.ts';
import type { BenchContext } from './run.ts';

const migrationsDir = defaultAppPaths().migrationsDir;
const KEY = Buffer.alloc(32, 0x5a);

interface Variant {
  name: string;
  /** Cipher pragmas set before the key (none: plain). */
  cipher: string[] | null;
  pageSize?: number;
}

const VARIANTS: Variant[] = [
  { name: 'plain', cipher: null },
  { name: 'SQLCipher, HMAC-SHA512 (the app)', cipher: ["cipher='sqlcipher'"] },
  { name: 'SQLCipher, HMAC-SHA256', cipher: ["cipher='sqlcipher'", 'hmac_algorithm=1', 'kdf_algorithm=1'] },
  { name: 'SQLCipher, no HMAC (not acceptable)', cipher: ["cipher='sqlcipher'", 'hmac_use=0'] },
  { name: 'ChaCha20-Poly1305', cipher: ["cipher='chacha20'"] },
  { name: 'SQLCipher, 8 KiB pages', cipher: ["cipher='sqlcipher'"], pageSize: 8192 },
];

/** A copy of `source` made into the variant (page size by VACUUM, encryption by rekey in DELETE journal mode). */
function makeCopy(source: string, dir: string, variant: Variant, i: number): string {
  const file = path.join(dir, `writes-${i}.db`);
  for (const s of ['', '-wal', '-shm']) fs.rmSync(file + s, { force: true });
  fs.copyFileSync(source, file);
  const db = openCaseDatabase(file, { migrationsDir });
  db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  db.sqlite.pragma('journal_mode = DELETE');
  if (variant.pageSize) {
    db.sqlite.pragma(`page_size = ${variant.pageSize}`);
    db.sqlite.exec('VACUUM');
  }
  if (variant.cipher) {
    for (const p of variant.cipher) db.sqlite.pragma(p);
    db.sqlite.pragma(`rekey="x'${KEY.toString('hex')}'"`);
  }
  db.sqlite.pragma('journal_mode = WAL');
  db.close();
  return file;
}

export async function run(bench: BenchContext): Promise<void> {
  const clients = Number(process.env.BENCH_WRITES_CLIENTS ?? 20000);
  const source = path.join(bench.outDir, `startup-plain-${clients}.db`);
  if (!fs.existsSync(source)) {
    execFileSync(
      process.execPath,
      [path.resolve(bench.outDir, '../../src-main/cli/needmap.mjs'), 'demo', '--db', source, '--clients', String(clients), '--seed', '1', '--end', '2026-10'],
      {
        stdio: 'inherit',
      },
    );
  }
  console.log(
    `${clients}-client demo database; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${os.availableParallelism()} CPUs`,
  );
  const dir = path.join(bench.outDir, 'writes');
  fs.mkdirSync(dir, { recursive: true });
  const dbs = VARIANTS.map((v, i) => ({ variant: v, db: openVariant(makeCopy(source, dir, v, i), v) }));
  const issueCode = (dbs[0]!.db.sqlite.prepare('SELECT issue_code FROM client_issues LIMIT 1').pluck().get() as string) ?? 'debt';
  let n = 0;
  const record = (db: CaseDatabase) =>
    recordContact(db.db, {
      clientId: 1 + ((n++ * 7919) % clients),
      contactDate: '2026-10-15',
      kind: 'appointment',
      staffName: 'Bench',
      note: 'bench contact',
      issues: [{ issueCode, withinRemit: true, referredTo: null }],
    });

  // Pages written per recorded contact: WAL frames over 100 contacts with checkpoints off.
  const frames = dbs.map(({ db }) => {
    db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    db.sqlite.pragma('wal_autocheckpoint = 0');
    for (let i = 0; i < 100; i++) record(db);
    const pageSize = Number(db.sqlite.pragma('page_size', { simple: true }));
    const wal = fs.statSync(`${db.file}-wal`).size;
    db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    db.sqlite.pragma('wal_autocheckpoint = 1000');
    return { perWrite: (wal - 32) / (pageSize + 24) / 100, pageSize };
  });

  // Recording a contact, interleaved.
  const times = dbs.map(() => [] as number[]);
  for (let round = 0; round < 5; round++) dbs.forEach(({ db }, i) => times[i]!.push(timeMedian(() => record(db), 21)));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  // Raw page cost: 2,000 pages of random bytes written in one transaction, then read back cold.
  const raw = dbs.map(({ db }) => {
    db.sqlite.exec('DROP TABLE IF EXISTS bench_pages; CREATE TABLE bench_pages (b BLOB)');
    const pageSize = Number(db.sqlite.pragma('page_size', { simple: true }));
    const insert = db.sqlite.prepare('INSERT INTO bench_pages VALUES (randomblob(?))');
    const rows = Math.round((2000 * 4096) / pageSize);
    const write = timeMedian(() => {
      db.sqlite.transaction(() => {
        db.sqlite.exec('DELETE FROM bench_pages');
        for (let i = 0; i < rows; i++) insert.run(pageSize - 200);
      })();
      db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    }, 3);
    const read = timeMedian(() => {
      db.sqlite.pragma('cache_size = 0');
      db.sqlite.pragma('cache_size = -131072');
      db.sqlite.prepare('SELECT sum(length(b)) FROM bench_pages').get();
    }, 5);
    db.sqlite.exec('DROP TABLE bench_pages');
    return { write, read };
  });

  const base = median(times[0]!);
  console.log('\n| variant | record a contact ms | ÷ plain | pages written per contact | 8 MiB written (+checkpoint) ms | 8 MiB read cold ms |');
  console.log('|---|---:|---:|---:|---:|---:|');
  dbs.forEach(({ variant }, i) => {
    const t = median(times[i]!);
    console.log(
      `| ${variant.name} | ${t.toFixed(3)} | ${(t / base).toFixed(2)}× | ${frames[i]!.perWrite.toFixed(1)} (${frames[i]!.pageSize} B) | ${raw[i]!.write.toFixed(0)} | ${raw[i]!.read.toFixed(1)} |`,
    );
  });
  for (const { db } of dbs) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Opens a copy as the app opens its database (db/open.ts), with the variant's cipher settings given before its key. */
function openVariant(file: string, variant: Variant): CaseDatabase {
  if (!variant.cipher) return openCaseDatabase(file, { migrationsDir });
  const sqlite = new Database(file);
  for (const p of variant.cipher) sqlite.pragma(p);
  sqlite.pragma(`key="x'${KEY.toString('hex')}'"`);
  for (const p of [
    'journal_mode = WAL',
    'synchronous = NORMAL',
    'foreign_keys = ON',
    'busy_timeout = 5000',
    'cache_size = -131072',
    'mmap_size = 1073741824',
    'secure_delete = ON',
  ]) {
    sqlite.pragma(p);
  }
  return { file, sqlite, db: drizzle(sqlite, { schema }), close: () => sqlite.close() };
}
