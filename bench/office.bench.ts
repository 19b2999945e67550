/**
 * The office server under an office's load (issue 16): ten people recording contacts and two
 * running reports at once, each from their own client PC, against one `needmap serve --office`
 * process on the shared demo database — all over loopback addresses (127.0.0.0/8) with real TLS
 * and the same forwarding client the app uses. Bounded loops: each recorder records
 * OFFICE_CONTACTS contacts one after another; each reporter runs the report screens' calls
 * OFFICE_REPORT_ROUNDS times, first back to back (a stress test), then paced (one contact a second
 * per person, one report every three seconds per manager). Prints throughput, latency percentiles of recording a contact
 * (target p95 < 50 ms) against two baselines measured in the same run — the same call in-process
 * with no network, and one person alone through the server — and checks afterwards, in the
 * database itself, that every acknowledged contact is there exactly once (none lost, none doubled).
 * The load runs twice, each against a fresh server on the same file: reports read in the server's
 * one thread (NEEDMAP_REPORT_WORKERS=0, before issue 16b), then in worker threads (after); a
 * before/after table ends the output (OFFICE_READERS=thread or =workers runs one).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAppContext } from '../src-main/app-context.ts';
import { dispatch } from '../src-main/ipc/handlers.ts';
import { openCaseDatabase } from '../src-main/db/open.ts';
import { createUser } from '../src-main/db/protect/users.ts';
import { parseOfficeAddress } from '../src-main/core/office/address.ts';
import { connectionFor } from '../src-main/office/connection-file.ts';
import { OfficeForwarder } from '../src-main/office/forwarder.ts';
import { OfficeClient } from '../src-main/office/client.ts';
import { defaultAppPaths } from '../src-main/paths.ts';
import type { CallerSession } from '../src-main/ipc/sessions.ts';
import type { CallResult } from '../src-main/ipc/contract.ts';
import { freePort, startOfficeServer, Tab } from '../tests/office/processes.ts';
import { benchDatabase } from './demo-db.ts';
import type { BenchContext } from './run.ts';

const RECORDERS = 10;
const REPORTERS = 2;
const CONTACTS = Number(process.env.OFFICE_CONTACTS ?? 100);
const REPORT_ROUNDS = Number(process.env.OFFICE_REPORT_ROUNDS ?? 3);
const BASELINE_CALLS = 100;
const RECORD_EVERY_MS = Number(process.env.OFFICE_RECORD_EVERY_MS ?? 1000);
const REPORT_EVERY_MS = Number(process.env.OFFICE_REPORT_EVERY_MS ?? 3000);
const PASSWORD = 'office bench password';
const HOST = '127.0.0.7';
/**
 * How the server reads reports: `thread` in its one thread, as before issue 16b (NEEDMAP_REPORT_WORKERS=0),
 * `workers` in worker threads (db/reports/read-pool.ts). Both by default, each against a fresh server on the same file.
 */
type ReaderMode = 'thread' | 'workers';
const READER_MODES = (process.env.OFFICE_READERS ?? 'thread,workers').split(',') as ReaderMode[];
const MODE_LABEL: Record<ReaderMode, string> = {
  thread: "in the server's one thread (NEEDMAP_REPORT_WORKERS=0, before)",
  workers: 'in worker threads (after)',
};

interface Person {
  username: string;
  role: 'caseworker' | 'manager' | 'admin';
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(times: number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1]! };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

function unwrap<T>(r: CallResult<unknown>, what: string): T {
  if (!r.ok) throw new Error(`${what}: ${JSON.stringify(r.error)}`);
  return r.value as T;
}

export async function run(bench: BenchContext): Promise<void> {
  const paths = defaultAppPaths();
  const source = benchDatabase(bench);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'needmap-office-bench-'));
  const dbFile = path.join(work, 'needmap.db');
  fs.copyFileSync(source, dbFile);

  const people: Person[] = [
    { username: 'bench.admin', role: 'admin' },
    ...Array.from({ length: RECORDERS }, (_, i) => ({ username: `bench.rec${i}`, role: 'caseworker' as const })),
    ...Array.from({ length: REPORTERS }, (_, i) => ({ username: `bench.rep${i}`, role: 'manager' as const })),
  ];
  const setup = openCaseDatabase(dbFile, { migrationsDir: paths.migrationsDir });
  for (const p of people) createUser(setup.db, { username: p.username, displayName: p.username, role: p.role, password: PASSWORD });
  const clients = (setup.sqlite.prepare('SELECT MAX(id) AS n FROM clients').get() as { n: number }).n;
  const issueCodes = (setup.sqlite.prepare('SELECT DISTINCT issue_code AS c FROM client_issues LIMIT 40').all() as { c: string }[]).map((r) => r.c);
  const months = setup.sqlite.prepare('SELECT MIN(contact_date) AS first, MAX(contact_date) AS last FROM contacts').get() as { first: string; last: string };
  setup.close();
  const yearTo = months.last.slice(0, 7) + '-28';
  const yearFrom = `${Number(months.last.slice(0, 4)) - 1}${months.last.slice(4, 7)}-01`;
  const filter = { from: yearFrom, to: yearTo };
  const REPORT_CALLS: [string, unknown][] = [
    ['reports.need', { filter }],
    ['reports.trend', { filter }],
    ['reports.where', { filter }],
    ['reports.deciles', { filter }],
    ['reports.impact', { filter }],
    ['reports.referrals', { filter }],
  ];
  let serial = 0;
  const contactFor = (who: string) => {
    serial += 1;
    return {
      clientId: 1 + ((serial * 7919) % clients),
      contactDate: months.last,
      kind: 'drop_in',
      staffName: who,
      note: `office-bench ${who} ${serial}`,
      issues: [{ issueCode: issueCodes[serial % issueCodes.length]!, withinRemit: true }],
    };
  };

  // Baseline 1: the same call in this process, no network (dispatch on the database directly).
  const inProcess: number[] = [];
  {
    const ctx = createAppContext({ dbFile, paths, host: 'browser' });
    const session = ctx.sessions.attach('test');
    unwrap(await dispatch('auth.login', { username: people[1]!.username, password: PASSWORD }, ctx, session), 'login');
    for (let i = 0; i < BASELINE_CALLS; i++) {
      const { ms, value } = await timed(() => dispatch('contacts.record', contactFor('baseline'), ctx, session));
      unwrap(value, 'baseline record');
      inProcess.push(ms);
    }
    ctx.close();
  }

  // The office server, in its own process, on a loopback address: once per way of reading reports.
  const serverRun = async (mode: ReaderMode) => {
    const listen = `${HOST}:${await freePort(HOST)}`;
    const server = await startOfficeServer(dbFile, listen, path.join(work, `server-home-${mode}`), mode === 'thread' ? { NEEDMAP_REPORT_WORKERS: '0' } : {});
    try {
      const admin = await Tab.open(server);
      await admin.ok('auth.login', { username: 'bench.admin', password: PASSWORD });
      const address = parseOfficeAddress(server.address);
      const pcs: { forwarder: OfficeForwarder; session: CallerSession; person: Person }[] = [];
      for (const [i, person] of people.slice(1).entries()) {
        const connection = connectionFor(path.join(work, mode, person.username), address, server.fingerprint, `PC of ${person.username}`);
        // Each PC on its own loopback address, as each office PC has its own.
        const client = new OfficeClient(address, server.fingerprint, { localAddress: `127.0.1.${10 + i}` });
        const forwarder = new OfficeForwarder(connection, { client });
        await forwarder.pair();
        pcs.push({ forwarder, session: forwarder.sessions.attach('test'), person });
      }
      const status = await admin.ok<{ devices: { id: string; state: string }[] }>('office.status');
      for (const device of status.devices.filter((d) => d.state === 'pending')) await admin.ok('office.approveDevice', { deviceId: device.id });
      for (const pc of pcs) unwrap(await pc.forwarder.dispatch('auth.login', { username: pc.person.username, password: PASSWORD }, pc.session), 'login');
      const call = (pc: (typeof pcs)[number], name: string, input: unknown) => pc.forwarder.dispatch(name, input, pc.session);
      const record = async (pc: (typeof pcs)[number], times: number[]) => {
        const { ms, value } = await timed(() => call(pc, 'contacts.record', contactFor(pc.person.username)));
        acknowledged.add(unwrap<{ contactId: number }>(value, 'record').contactId);
        times.push(ms);
      };

      // Baseline 2: one person alone, through the server.
      const alone: number[] = [];
      for (let i = 0; i < BASELINE_CALLS; i++) await record(pcs[0]!, alone);

      // The load: ten recording, two running reports, all at once — back to back (a stress test), then
      // paced (each person records a contact every RECORD_EVERY_MS, each manager runs a report every
      // REPORT_EVERY_MS: still far busier than an office, where a person records one every few minutes).
      const scenario = async (paceRecordMs: number, paceReportMs: number) => {
        const recording: number[] = [];
        const reporting: { name: string; ms: number }[] = [];
        const pause = (ms: number, spent: number) => (ms > spent ? new Promise((resolve) => setTimeout(resolve, ms - spent)) : null);
        const start = process.hrtime.bigint();
        await Promise.all([
          ...pcs
            .filter((pc) => pc.person.role === 'caseworker')
            .map(async (pc, k) => {
              // Staggered starts, so paced people do not all press Save at the same instant.
              if (paceRecordMs) await pause((paceRecordMs * k) / RECORDERS, 0);
              for (let i = 0; i < CONTACTS; i++) {
                const before = recording.length;
                await record(pc, recording);
                await pause(paceRecordMs, recording[before] ?? 0);
              }
            }),
          ...pcs
            .filter((pc) => pc.person.role === 'manager')
            .map(async (pc, k) => {
              if (paceReportMs) await pause((paceReportMs * k) / REPORTERS, 0);
              for (let round = 0; round < REPORT_ROUNDS; round++) {
                for (let j = 0; j < REPORT_CALLS.length; j++) {
                  const [name, input] = REPORT_CALLS[(j + k * 3) % REPORT_CALLS.length]!;
                  const { ms, value } = await timed(() => call(pc, name, input));
                  unwrap(value, name);
                  reporting.push({ name, ms });
                  await pause(paceReportMs, ms);
                }
              }
            }),
        ]);
        return { recording, reporting, ms: Number(process.hrtime.bigint() - start) / 1e6 };
      };
      const cpuBefore = process.cpuUsage();
      const stress = await scenario(0, 0);
      const paced = await scenario(RECORD_EVERY_MS, REPORT_EVERY_MS);
      const clientCpu = process.cpuUsage(cpuBefore);
      for (const pc of pcs) pc.forwarder.close();

      const base1 = summary(inProcess);
      // OFFICE_REPORT_ROUNDS=0 measures recording alone, to tell the reports' share of the waiting.
      const withReports = (before: string, after: string) => (REPORT_ROUNDS > 0 ? `${before}${REPORTERS}${after}` : ', no reports');
      const fmt = (x: number) => x.toFixed(1);
      console.log(`\n### reports read ${MODE_LABEL[mode]}\n`);
      console.log(
        `database: ${clients} clients (${path.basename(source)}); server ${server.address} (own process, TLS 1.3); ${RECORDERS} recorders × ${CONTACTS} contacts, ` +
          `${REPORTERS} reporters × ${REPORT_ROUNDS} rounds of ${REPORT_CALLS.length} reports, each PC on its own loopback address; load average ${os
            .loadavg()
            .map((l) => l.toFixed(1))
            .join(' ')} on ${os.cpus().length} CPUs\n`,
      );
      console.log('| recording a contact | calls | p50 ms | p95 ms | p99 ms | max ms | p95 ratio to in-process | p95 < 50 ms |');
      console.log('|---|---:|---:|---:|---:|---:|---:|:-:|');
      for (const [label, times] of [
        ['in-process dispatch, no network (baseline)', inProcess],
        ['one person alone through the office server', alone],
        [`${RECORDERS} recording${withReports(' + ', ' reporting')}, back to back (stress)`, stress.recording],
        [
          `${RECORDERS} recording every ${RECORD_EVERY_MS / 1000} s${withReports(' + ', ` reporting every ${REPORT_EVERY_MS / 1000} s`)} (paced)`,
          paced.recording,
        ],
      ] as const) {
        const s = summary(times);
        console.log(
          `| ${label} | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.p99)} | ${fmt(s.max)} | ${(s.p95 / base1.p95).toFixed(2)} | ${s.p95 < 50 ? 'yes' : 'no'} |`,
        );
      }
      for (const [label, run] of [
        ['stress', stress],
        ['paced', paced],
      ] as const) {
        const byReport = new Map<string, number[]>();
        for (const r of run.reporting) byReport.set(r.name, [...(byReport.get(r.name) ?? []), r.ms]);
        console.log(
          `\n${label}: ${((run.recording.length / run.ms) * 1000).toFixed(0)} contacts/s (${run.recording.length} in ${(run.ms / 1000).toFixed(2)} s) while ${run.reporting.length} reports ran; ` +
            `reports' median ms: ${[...byReport].map(([n, t]) => `${n.replace('reports.', '')} ${fmt(summary(t).p50)}`).join(', ')}`,
        );
      }
      console.log(`the client PCs' CPU in this process: ${((clientCpu.user + clientCpu.system) / 1000).toFixed(0)} ms`);
      const workerFailed = /report worker (failed|could not)/.exec(server.output());
      if (workerFailed) console.log(`the server said: ${workerFailed[0]} (see its output)`);
      return { stress: summary(stress.recording), paced: summary(paced.recording), stressRate: (stress.recording.length / stress.ms) * 1000 };
    } finally {
      await server.stop();
    }
  };
  const acknowledged = new Set<number>();
  const results = new Map<ReaderMode, Awaited<ReturnType<typeof serverRun>>>();
  for (const mode of READER_MODES) results.set(mode, await serverRun(mode));
  if (results.size === 2) {
    const before = results.get('thread')!;
    const after = results.get('workers')!;
    console.log('\n| recording a contact, 10 + 2 | reports in the server thread (before) p95 ms | reports in worker threads (after) p95 ms | after / before |');
    console.log('|---|---:|---:|---:|');
    for (const [label, a, b] of [
      ['back to back (stress)', before.stress.p95, after.stress.p95],
      ['paced', before.paced.p95, after.paced.p95],
    ] as const) {
      console.log(`| ${label} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(2)} |`);
    }
    console.log(
      `| throughput (stress), contacts/s | ${before.stressRate.toFixed(0)} | ${after.stressRate.toFixed(0)} | ${(after.stressRate / before.stressRate).toFixed(2)} |`,
    );
  }

  // None lost, none doubled: every acknowledged contact is in the database once, and nothing else was written.
  const check = openCaseDatabase(dbFile, { migrationsDir: paths.migrationsDir });
  const rows = check.sqlite.prepare("SELECT id, note FROM contacts WHERE note LIKE 'office-bench bench.%'").all() as { id: number; note: string }[];
  check.close();
  const ids = new Set(rows.map((r) => r.id));
  const notes = new Set(rows.map((r) => r.note));
  const lost = [...acknowledged].filter((id) => !ids.has(id)).length;
  const doubled = rows.length - notes.size;
  const unacknowledged = rows.filter((r) => !acknowledged.has(r.id)).length;
  console.log(
    `writes: ${acknowledged.size} acknowledged, ${rows.length} in the database; lost ${lost}, duplicated ${doubled}, unacknowledged ${unacknowledged}`,
  );
  if (lost || doubled || unacknowledged) throw new Error('The office server lost or duplicated writes.');
  fs.rmSync(work, { recursive: true, force: true });
}
