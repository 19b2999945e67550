/**
 * Spreadsheet import (issue 15): 10,000 clients with 30,000 issues (one row per issue, dates typed
 * day-first, postcodes with odd spacing, issues in words), from XLSX and from CSV, into an empty
 * database — reading the file, the dry run (rows checked, phrases matched, duplicates against the
 * database) and writing the batch through the recording path in one transaction. Target: under
 * 30 s in all. Baseline, in the same run: the same planned records written straight through
 * db/recording.ts (insertClient, recordContact, changeIssueStatus) in one transaction with the
 * report summary triggers firing for each — as entering them one by one would (no sheet, no
 * checks, no audit, no batch). The import sets those triggers aside for a large batch into a
 * small database and fills the summaries afresh at the end (db/import/summaries.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { createAppContext } from '../src-main/app-context.ts';
import { geographyFor } from '../src-main/core/geography.ts';
import { ImportMapping } from '../src-main/core/import/mapping.ts';
import { applyImport } from '../src-main/db/import/batches.ts';
import { prepareImport } from '../src-main/db/import/prepare.ts';
import { readSheetFile } from '../src-main/db/import/read-sheet.ts';
import { readIodEdition } from '../src-main/db/geo/settings.ts';
import { changeIssueStatus, insertClient, recordContact } from '../src-main/db/recording.ts';
import { defaultAppPaths } from '../src-main/paths.ts';
import type { BenchContext } from './run.ts';

const CLIENTS = Number(process.env.BENCH_IMPORT_CLIENTS ?? 10_000);
const ISSUES_PER_CLIENT = 3;
const HEADER = ['Client ref', 'Forename', 'Surname', 'DOB', 'Postcode', 'Date seen', 'Presenting issue', 'Outcome', 'Outcome date', 'Consent'];
const POSTCODES = ['m1  1ae', 'SE13 6AA', 'pr12aa', 'LS1 4AP', 'B1 1BB', 'NE1 7RU', 'L1 8JQ', 'BS1 5TR'];
const PHRASES = ['debt', 'loneliness', 'Housing arrears', 'anxiety', 'benefits', 'food poverty', 'fuel poverty', 'isolation'];
const FIRST = ['Anna', 'Bob', 'Chloe', 'Dev', 'Ewa', 'Femi', 'Gita', 'Huw', 'Iris', 'Jon'];
const LAST = ['Smith', 'Jones', 'Khan', 'Patel', 'Evans', 'Nowak', 'Okafor', 'Reid', 'Shah', 'Walsh'];

function rows(): (string | number)[][] {
  const out: (string | number)[][] = [];
  for (let c = 0; c < CLIENTS; c++) {
    const dob = `${(c % 28) + 1}/${(c % 12) + 1}/${1940 + (c % 60)}`;
    const seen = `${(c % 28) + 1}/${(c % 9) + 1}/2025`;
    for (let i = 0; i < ISSUES_PER_CLIENT; i++) {
      const resolved = (c + i) % 3 === 0;
      out.push([
        `C${c}`,
        `${FIRST[c % 10]}${c}`,
        LAST[(c >> 3) % 10]!,
        dob,
        POSTCODES[c % POSTCODES.length]!,
        seen,
        PHRASES[(c + i) % PHRASES.length]!,
        resolved ? 'resolved' : 'open',
        resolved ? `${(c % 28) + 1}/12/2025` : '',
        'yes',
      ]);
    }
  }
  return out;
}

async function writeXlsx(file: string, data: (string | number)[][]): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Clients');
  sheet.addRow(HEADER).commit();
  for (const row of data) sheet.addRow(row).commit();
  sheet.commit();
  await workbook.commit();
}

const csvCell = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

function fresh(dir: string, name: string) {
  const dbFile = path.join(dir, name);
  for (const suffix of ['', '-wal', '-shm', '.lock']) fs.rmSync(dbFile + suffix, { force: true });
  return createAppContext({ dbFile, paths: defaultAppPaths(), host: 'browser', lockPurpose: 'bench import' });
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

async function importOnce(dir: string, file: string) {
  const ctx = fresh(dir, 'import-bench.db');
  try {
    let t = performance.now();
    const sheet = await readSheetFile(fs.readFileSync(file), path.basename(file));
    const readMs = performance.now() - t;
    t = performance.now();
    const prepared = prepareImport(ctx.caseDb.db, sheet, ImportMapping.parse({}), ctx.taxonomy);
    const prepareMs = performance.now() - t;
    if (prepared.report.rowsRefused > 0) throw new Error(`bench sheet refused rows: ${JSON.stringify(prepared.report.refusals.slice(0, 3))}`);
    const edition = readIodEdition(ctx.caseDb.db);
    const geography = (postcode: string | null) => geographyFor(postcode, ctx.neighbourhoods, edition);
    t = performance.now();
    let progressCalls = 0;
    await applyImport(ctx.caseDb, prepared, {
      actor: { userId: null, username: 'bench' },
      geography,
      fileSha256: '0'.repeat(64),
      onProgress: () => (progressCalls += 1),
    });
    const applyMs = performance.now() - t;
    const counts = prepared.report.counts;
    return { readMs, prepareMs, applyMs, counts, progressCalls, prepared };
  } finally {
    ctx.close();
  }
}

/** The baseline: the same plan written straight through the recording functions, one transaction, nothing else. */
function baselineWrite(dir: string, prepared: Awaited<ReturnType<typeof importOnce>>['prepared']): number {
  const ctx = fresh(dir, 'import-baseline.db');
  try {
    const edition = readIodEdition(ctx.caseDb.db);
    const t = performance.now();
    ctx.caseDb.db.transaction((db) => {
      for (const planned of prepared.plan.clients) {
        const clientId = insertClient(db, planned.fields, geographyFor(planned.fields.postcode, ctx.neighbourhoods, edition));
        for (const contact of planned.contacts) {
          const issues = contact.issues.map((i) => ({ issueCode: i.issueCode, withinRemit: i.withinRemit, referredTo: i.referredTo }));
          const recorded = recordContact(db, { ...contact.fields, clientId, issues });
          contact.issues.forEach((issue, i) => {
            for (const change of issue.changes) changeIssueStatus(db, { clientIssueId: recorded.clientIssueIds[i]!, ...change, referredTo: issue.referredTo });
          });
        }
      }
    });
    return performance.now() - t;
  } finally {
    ctx.close();
  }
}

export async function run(bench: BenchContext): Promise<void> {
  const dir = path.join(bench.outDir, 'import');
  fs.mkdirSync(dir, { recursive: true });
  const data = rows();
  const csv = path.join(dir, `clients-${CLIENTS}.csv`);
  fs.writeFileSync(csv, [HEADER, ...data].map((r) => r.map(csvCell).join(',')).join('\r\n'));
  const xlsx = path.join(dir, `clients-${CLIENTS}.xlsx`);
  await writeXlsx(xlsx, data);
  console.log(
    `sheet: ${CLIENTS} clients × ${ISSUES_PER_CLIENT} issues = ${data.length} rows; CSV ${(fs.statSync(csv).size / 1e6).toFixed(1)} MB, XLSX ${(fs.statSync(xlsx).size / 1e6).toFixed(1)} MB`,
  );

  const results: { name: string; r: Awaited<ReturnType<typeof importOnce>> }[] = [];
  for (const [name, file] of [
    ['CSV', csv],
    ['XLSX', xlsx],
  ] as const) {
    results.push({ name, r: await importOnce(dir, file) });
  }
  const baselineMs = baselineWrite(dir, results[0]!.r.prepared);
  const c = results[0]!.r.counts;
  console.log(
    `created: ${c.clientsCreated} clients, ${c.contacts} contacts, ${c.issues} issues, ${c.statusChanges} status changes; progress reported ${results[0]!.r.progressCalls} times`,
  );
  console.log(`baseline (the same records written straight through db/recording.ts, one transaction, summary triggers firing): ${seconds(baselineMs)} s\n`);
  console.log('| file | read s | dry run s | write s | total s | < 30 s | write ÷ baseline |');
  console.log('|---|---:|---:|---:|---:|:-:|---:|');
  for (const { name, r } of results) {
    const total = r.readMs + r.prepareMs + r.applyMs;
    console.log(
      `| ${name} | ${seconds(r.readMs)} | ${seconds(r.prepareMs)} | ${seconds(r.applyMs)} | ${seconds(total)} | ${total < 30_000 ? 'yes' : 'NO'} | ${(r.applyMs / baselineMs).toFixed(2)} |`,
    );
  }
}
