/**
 * The cost of encryption at rest: the same 100k-client demo database, plain and encrypted
 * (SQLCipher via better-sqlite3-multiple-ciphers, raw 256-bit key), timed on recording an issue,
 * changing a status and dashboard-like reads. Each line prints encrypted/plain (target ≤ 1.2×).
 * Both copies are made fresh from the shared demo database, so writes never touch it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openCaseDatabase, type CaseDatabase } from '../src-main/db/open.ts';
import { encryptInPlace } from '../src-main/db/protect/encrypt.ts';
import { changeIssueStatus, getClientDetail, recordContact, searchClients } from '../src-main/db/recording.ts';
import { defaultAppPaths } from '../src-main/paths.ts';
import { benchDatabase, timeMedian } from './demo-db.ts';
import type { BenchContext } from './run.ts';

const migrationsDir = defaultAppPaths().migrationsDir;
/** A fixed key: the bench measures cost, not secrecy. */
const BENCH_KEY = Buffer.alloc(32, 0x5a);

function freshCopy(source: string, target: string): void {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(target + suffix, { force: true });
  fs.copyFileSync(source, target);
}

function openTimed(file: string, key?: Buffer): { db: CaseDatabase; ms: number } {
  const t = process.hrtime.bigint();
  const db = openCaseDatabase(file, { migrationsDir, ...(key ? { key } : {}) });
  return { db, ms: Number(process.hrtime.bigint() - t) / 1e6 };
}

interface Workload {
  name: string;
  run: (db: CaseDatabase, i: number) => unknown;
}

export async function run(bench: BenchContext): Promise<void> {
  const source = benchDatabase(bench);
  const plainFile = path.join(bench.outDir, 'protect-plain.db');
  const encFile = path.join(bench.outDir, 'protect-encrypted.db');
  freshCopy(source, plainFile);
  freshCopy(source, encFile);
  {
    const db = openCaseDatabase(encFile, { migrationsDir });
    const t = Date.now();
    encryptInPlace(db, BENCH_KEY);
    console.log(`encrypting a copy of the ${bench.clients}-client database in place: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    db.close();
  }

  const plain = openTimed(plainFile);
  const enc = openTimed(encFile, BENCH_KEY);
  const clients = (plain.db.sqlite.prepare('SELECT MAX(id) AS n FROM clients').get() as { n: number }).n;
  const issueCode = (plain.db.sqlite.prepare('SELECT issue_code FROM client_issues LIMIT 1').get() as { issue_code: string }).issue_code;
  const clientFor = (i: number) => 1 + ((i * 7919) % clients);
  const newIssues = new Map<CaseDatabase, number[]>();

  const workloads: Workload[] = [
    {
      name: 'record a contact with one issue',
      run: (db, i) => {
        const r = recordContact(db.db, {
          clientId: clientFor(i),
          contactDate: '2026-10-15',
          kind: 'appointment',
          staffName: 'Bench',
          note: 'bench contact',
          issues: [{ issueCode, withinRemit: true, referredTo: null }],
        });
        (newIssues.get(db) ?? newIssues.set(db, []).get(db)!).push(r.clientIssueIds[0]!);
      },
    },
    {
      name: 'change an issue status',
      // Each call moves a different issue recorded above (one per call on each side), so none is refused.
      run: (db) => {
        changeIssueStatus(db.db, { clientIssueId: newIssues.get(db)!.shift()!, status: 'in_progress', changedOn: '2026-10-20', note: '', referredTo: null });
      },
    },
    { name: 'open a client (detail)', run: (db, i) => getClientDetail(db.db, clientFor(i)) },
    { name: 'search clients by name', run: (db) => searchClients(db.db, 'smith', 50, 0) },
    {
      name: 'dashboard: issues by sector × category, 12 months',
      run: (db) =>
        db.sqlite
          .prepare("SELECT sector, category_key, count(*) FROM report_issue_facts WHERE identified_on BETWEEN '2025-11-01' AND '2026-10-31' GROUP BY 1, 2")
          .all(),
    },
    {
      name: 'dashboard: clients by deprivation decile',
      run: (db) => db.sqlite.prepare('SELECT imd_decile, count(*) FROM clients GROUP BY 1').all(),
    },
    {
      name: 'dashboard: open issues by status',
      run: (db) => db.sqlite.prepare("SELECT status, count(*) FROM client_issues WHERE status NOT IN ('resolved','closed_unresolved') GROUP BY 1").all(),
    },
  ];

  console.log(
    `open (migrations check + quick_check): plain ${plain.ms.toFixed(0)} ms, encrypted ${enc.ms.toFixed(0)} ms (${(enc.ms / plain.ms).toFixed(2)}×)\n`,
  );
  console.log('| workload | plain ms | encrypted ms | ratio | target |');
  console.log('|---|---:|---:|---:|---|');
  for (const w of workloads) {
    // Interleaved runs, so drift on a shared machine hits both sides alike.
    const times = { plain: [] as number[], enc: [] as number[] };
    let i = 0;
    for (let round = 0; round < 5; round++) {
      times.plain.push(timeMedian(() => w.run(plain.db, i++), 21));
      times.enc.push(timeMedian(() => w.run(enc.db, i++), 21));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const [p, e] = [median(times.plain), median(times.enc)];
    const ratio = e / p;
    console.log(`| ${w.name} | ${p.toFixed(3)} | ${e.toFixed(3)} | ${ratio.toFixed(2)}× | ${ratio <= 1.2 ? '≤ 1.2× ✓' : '≤ 1.2× ✗'} |`);
  }
  plain.db.close();
  enc.db.close();
  for (const file of [plainFile, encFile]) for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
}
