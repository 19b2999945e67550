/**
 * What the reports' summary triggers (src-main/db/sql/) add to each write: recording an issue, a
 * status change to referred, a resolution, and a client moving sector, each in its own transaction
 * on a copy of a 20k-client demo database, against the same writes on a copy without the summary
 * triggers (the baseline, measured in the same run). Median of 201 writes, each at a random client
 * or issue (the same sequence for both copies).
 */
import fs from 'node:fs';
import path from 'node:path';
import { openCaseDatabase, type CaseDatabase } from '../src-main/db/open.ts';
import { defaultAppPaths } from '../src-main/paths.ts';
import { benchDatabase } from './demo-db.ts';
import type { BenchContext } from './run.ts';

const migrationsDir = defaultAppPaths().migrationsDir;
const WRITES = 201;

/** A fresh copy of the demo database; `bare` drops every trigger that keeps a report summary. */
function copyOf(source: string, file: string, bare: boolean): CaseDatabase {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  fs.copyFileSync(source, file);
  const caseDb = openCaseDatabase(file, { migrationsDir });
  if (bare) {
    const triggers = caseDb.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'report%'").pluck().all() as string[];
    for (const name of triggers) caseDb.sqlite.exec(`DROP TRIGGER "${name}"`);
  }
  return caseDb;
}

/** A repeatable sequence of numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

function medianMs(times: number[]): number {
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

type Kind = 'record' | 'referred' | 'resolved' | 'move';
/** Median wall and CPU milliseconds per kind of write (CPU is steadier on a shared, loaded machine). */
type Writes = Record<Kind, { wall: number; cpu: number }>;

function timeWrites(caseDb: CaseDatabase): Writes {
  const s = caseDb.sqlite;
  const clients = s.prepare('SELECT MAX(id) FROM clients').pluck().get() as number;
  const issues = s.prepare('SELECT MAX(id) FROM client_issues').pluck().get() as number;
  const contactOf = s.prepare('SELECT id FROM contacts WHERE client_id = ? LIMIT 1').pluck();
  const insertIssue = s.prepare(
    `INSERT INTO client_issues (client_id, contact_id, issue_code, within_remit, referred_to, status, identified_on, status_changed_on)
     VALUES (?, ?, 'HOU-ARREARS', 1, NULL, 'open', '2026-03-10', '2026-03-10')`,
  );
  const insertEvent = s.prepare("INSERT INTO issue_status_events (client_issue_id, status, changed_on, note) VALUES (?, ?, '2026-04-01', '')");
  const setStatus = s.prepare("UPDATE client_issues SET status = ?, status_changed_on = '2026-04-01', referred_to = coalesce(?, referred_to) WHERE id = ?");
  const move = s.prepare('UPDATE clients SET postcode_sector = ?, imd_decile = ? WHERE id = ?');
  const timed = (fn: () => void) => {
    const cpu = process.cpuUsage();
    const t = process.hrtime.bigint();
    s.transaction(fn)();
    const used = process.cpuUsage(cpu);
    return { wall: Number(process.hrtime.bigint() - t) / 1e6, cpu: (used.user + used.system) / 1000 };
  };
  const next = random(7);
  const pick = (n: number) => 1 + Math.floor(next() * n);
  const times: Record<Kind, { wall: number; cpu: number }[]> = { record: [], referred: [], resolved: [], move: [] };
  for (let i = 0; i < WRITES; i++) {
    const client = pick(clients);
    const contact = contactOf.get(client) as number | undefined;
    if (contact !== undefined) times.record.push(timed(() => insertIssue.run(client, contact)));
    const referredIssue = pick(issues);
    times.referred.push(
      timed(() => {
        insertEvent.run(referredIssue, 'referred');
        setStatus.run('referred', 'Citizens Advice', referredIssue);
      }),
    );
    const resolvedIssue = pick(issues);
    times.resolved.push(
      timed(() => {
        insertEvent.run(resolvedIssue, 'resolved');
        setStatus.run('resolved', null, resolvedIssue);
      }),
    );
    const mover = pick(clients);
    times.move.push(timed(() => move.run(`PR${1 + (i % 9)} ${i % 10}`, 1 + (i % 10), mover)));
  }
  const medians = (kind: Kind) => ({ wall: medianMs(times[kind].map((t) => t.wall)), cpu: medianMs(times[kind].map((t) => t.cpu)) });
  return { record: medians('record'), referred: medians('referred'), resolved: medians('resolved'), move: medians('move') };
}

export async function run(bench: BenchContext): Promise<void> {
  const source = benchDatabase({ ...bench, clients: 20_000 });
  const withSummaries = copyOf(source, path.join(bench.outDir, 'summary-writes.db'), false);
  const bare = copyOf(source, path.join(bench.outDir, 'summary-writes-bare.db'), true);
  try {
    const counts = withSummaries.sqlite.prepare('SELECT (SELECT COUNT(*) FROM clients), (SELECT COUNT(*) FROM client_issues)').raw().get() as number[];
    console.log(`database: ${counts[0]} clients, ${counts[1]} issue records; median of ${WRITES} writes, one transaction each\n`);
    const baseline = timeWrites(bare);
    const measured = timeWrites(withSummaries);
    console.log('| write | with summary triggers ms | without (baseline) ms | ratio | with, CPU ms | without, CPU ms |');
    console.log('|---|---:|---:|---:|---:|---:|');
    const labels: Record<Kind, string> = {
      record: 'record an issue (within remit)',
      referred: 'status change to referred (event + issue)',
      resolved: 'status change to resolved (event + issue)',
      move: "client's sector and decile change",
    };
    for (const key of Object.keys(labels) as Kind[]) {
      const [m, b] = [measured[key], baseline[key]];
      console.log(
        `| ${labels[key]} | ${m.wall.toFixed(3)} | ${b.wall.toFixed(3)} | ${(m.wall / b.wall).toFixed(1)} | ${m.cpu.toFixed(3)} | ${b.cpu.toFixed(3)} |`,
      );
    }
  } finally {
    withSummaries.close();
    bare.close();
  }
}
