/** The import screen's calls through dispatch, as the renderer makes them: chunked upload, dry run, import, progress, undo, export. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as zip from '@zip.js/zip.js';
import ExcelJS from 'exceljs';
import { UPLOAD_CHUNK_CHARS } from '../../src-main/ipc/contract/import.ts';
import type { AppContext } from '../../src-main/ipc/handlers.ts';
import type { CallerSession } from '../../src-main/ipc/sessions.ts';
import { fillQuery } from '../../src-main/db/sql/sql-source.ts';
import { bypassSummaryTriggers } from '../../src-main/db/import/summaries.ts';
import { NEEDMAP_CLI, callOk, dispatch, sessionOf, tempDir, testContext } from '../helpers.ts';
import { MESSY_HEADER, messyRows, xlsxBytes } from './sheets.ts';

async function uploadBytes(ctx: AppContext, bytes: Buffer, name: string, session?: CallerSession): Promise<string> {
  const base64 = bytes.toString('base64');
  let uploadId: string | null = null;
  const step = 4000; // small chunks, so several are sent
  for (let i = 0; i === 0 || i < base64.length; i += step) {
    const sent: { uploadId: string } = await callOk(
      ctx,
      'import.upload',
      { uploadId, name, base64: base64.slice(i, i + step), done: i + step >= base64.length },
      session,
    );
    uploadId = sent.uploadId;
  }
  return uploadId!;
}

const clientCount = (ctx: AppContext) => (ctx.caseDb.sqlite.prepare('SELECT COUNT(*) AS n FROM clients').get() as { n: number }).n;

describe('import calls', () => {
  it('upload in chunks, preview under a changed mapping, import, list, and undo the batch whole', async () => {
    const ctx = testContext();
    const bytes = await xlsxBytes([{ name: 'Clients', rows: [MESSY_HEADER, ...messyRows()] }]);
    const uploadId = await uploadBytes(ctx, bytes, 'clients.xlsx');

    const preview = await callOk(ctx, 'import.preview', { uploadId, mapping: {} });
    expect(preview.headers).toEqual(MESSY_HEADER);
    expect(preview.sample[0]).toMatchObject({ row: 2, cells: ['C1', 'Anna', 'Smith', '1980-03-04', 'pr1  2aa', '12/01/2026', 'Debt', 'resolved', '', 'yes'] });
    expect(preview.report).toMatchObject({ rowsRead: 8, rowsRefused: 3 });
    expect(preview.report.phrases.find((p) => p.phrase === 'my cat')).toMatchObject({ chosen: null, confidence: 'none' });
    expect(clientCount(ctx)).toBe(0);

    // The user marks "my cat" as not an issue and leaves the consent column out (so it must come from a value for every row).
    const mapping = {
      columns: { ...preview.report.columns, Consent: 'ignore' },
      issues: { 'my cat': 'not-an-issue' },
      defaults: { 'client.consentToRecord': 'yes', 'client.consentDate': '01/01/2026' },
    };
    const again = await callOk(ctx, 'import.preview', { uploadId, mapping });
    expect(again.report.rowsRefused).toBe(2);
    expect(again.report.refusals.map((r) => r.row)).toEqual([5, 6]);

    const applied = await callOk(ctx, 'import.apply', { uploadId, mapping });
    expect(applied.batchId).toBe(1);
    expect(clientCount(ctx)).toBe(5);
    expect(await callOk(ctx, 'import.progress', {})).toBeNull();
    const { batches } = await callOk(ctx, 'import.batches', {});
    expect(batches).toEqual([expect.objectContaining({ id: 1, username: 'test-admin', sheet: 'Clients', clientsCreated: 5, undoneAt: null })]);
    // What was chosen is proposed next time.
    const next = await callOk(ctx, 'import.preview', { uploadId: await uploadBytes(ctx, bytes, 'again.xlsx'), mapping: {} });
    expect(next.report.columns.Consent).toBe('ignore');
    expect(next.report.phrases.find((p) => p.phrase === 'my cat')?.chosen).toBe('not-an-issue');

    expect(await callOk(ctx, 'import.undo', { batchId: 1 })).toEqual({ clients: 5, contacts: 5 });
    expect(clientCount(ctx)).toBe(0);
    const undone = await dispatch('import.undo', { batchId: 1 }, ctx);
    expect(undone).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('already undone') } });
    const audit = ctx.caseDb.sqlite.prepare("SELECT action FROM audit_log WHERE action IN ('import.apply', 'import.undo', 'client.importUndone')").all();
    expect(audit.map((a) => (a as { action: string }).action).sort()).toEqual([...Array(5).fill('client.importUndone'), 'import.apply', 'import.undo']);
  });

  it('refuses an undo once the imported records were worked on', async () => {
    const ctx = testContext();
    const uploadId = await uploadBytes(ctx, await xlsxBytes([{ name: 'S', rows: [MESSY_HEADER, messyRows()[0]!] }]), 'one.xlsx');
    const { batchId } = await callOk(ctx, 'import.apply', { uploadId, mapping: {} });
    const client = ctx.caseDb.sqlite.prepare('SELECT id FROM clients').get() as { id: number };
    await callOk(ctx, 'contacts.record', { clientId: client.id, contactDate: '2026-03-01', kind: 'phone_call', staffName: 'Jo', note: '', issues: [] });
    const undo = await dispatch('import.undo', { batchId: batchId! }, ctx);
    expect(undo).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('1 contacts were recorded for its clients') } });
    expect(clientCount(ctx)).toBe(1);
  });

  it('gives a clear error for a file it cannot read, an unknown upload, bad input and a caseworker', async () => {
    const ctx = testContext();
    const pdf = await uploadBytes(ctx, Buffer.from('%PDF-1.4 nothing'), 'letter.pdf');
    expect(await dispatch('import.preview', { uploadId: pdf, mapping: {} }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: 'letter.pdf is a PDF, not a spreadsheet. Import the spreadsheet it was made from (.xlsx or .csv).' },
    });
    expect(await dispatch('import.preview', { uploadId: 'f'.repeat(32), mapping: {} }, ctx)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await dispatch('import.preview', { uploadId: pdf, mapping: { columns: { A: 'client.shoeSize' } } }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await dispatch('import.upload', { uploadId: null, name: 'x.csv', base64: 'not base64!', done: true }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: 'The file contents must be base64.' },
    });
    expect(await dispatch('import.upload', { uploadId: null, name: 'x.csv', base64: 'A'.repeat(UPLOAD_CHUNK_CHARS + 4), done: true }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    // Another session cannot use this session's upload.
    const other = ctx.sessions.attach('test');
    other.logIn(sessionOf(ctx).user!);
    expect(await dispatch('import.preview', { uploadId: pdf, mapping: {} }, ctx, other)).toMatchObject({ ok: false, error: { code: 'not_found' } });

    await callOk(ctx, 'users.create', { username: 'casey', displayName: 'Casey', role: 'caseworker', password: 'kettle lamp 1234' });
    const casey = ctx.sessions.attach('test');
    await callOk(ctx, 'auth.login', { username: 'casey', password: 'kettle lamp 1234' }, casey);
    for (const name of ['import.upload', 'import.batches', 'records.export'] as const) {
      expect(await dispatch(name, {}, ctx, casey)).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'role' } });
    }
  });

  it('answers only import.progress while an import is being written', async () => {
    const ctx = testContext();
    const rows = Array.from({ length: 450 }, (_, i) => [`C${i}`, `Name${i}`, 'Person', '1970-01-01', 'M1 1AE', '12/01/2026', 'debt', null, null, 'yes']);
    const uploadId = await uploadBytes(ctx, await xlsxBytes([{ name: 'Many', rows: [MESSY_HEADER, ...rows] }]), 'many.xlsx');
    await callOk(ctx, 'import.preview', { uploadId, mapping: {} }); // the sheet is read now, so the import starts writing at once
    const applying = dispatch('import.apply', { uploadId, mapping: {} }, ctx);
    let progress = null;
    for (let i = 0; i < 200 && progress === null; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      progress = await callOk(ctx, 'import.progress', {});
    }
    expect(progress).toMatchObject({ total: 450 });
    expect(await dispatch('clients.search', {}, ctx)).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringContaining('import is being written') },
    });
    expect(await applying).toMatchObject({ ok: true, value: { batchId: 1 } });
    expect(clientCount(ctx)).toBe(450);
    expect(await dispatch('clients.search', {}, ctx)).toMatchObject({ ok: true });
  });
});

/** Each report summary table as stored, and as its fill query computes it afresh from the base tables. */
function summaries(ctx: AppContext) {
  const s = ctx.caseDb.sqlite;
  const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r.map((v) => (v === null ? null : String(v))))).sort();
  const columns = (table: string) => (s.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).join(', ');
  return ['report_issue_facts', 'report_month_counts', 'report_referral_facts'].map((table) => ({
    table,
    stored: sorted(
      s
        .prepare(
          `SELECT ${table === 'report_month_counts' ? 'kind, scope, key1, key2, month, prev_month, n' : columns(table)} FROM ${table}${table === 'report_month_counts' ? ' WHERE n <> 0' : ''}`,
        )
        .raw()
        .all() as unknown[][],
    ),
    fresh: sorted(
      s
        .prepare(`SELECT * FROM (${fillQuery(table)})`)
        .raw()
        .all() as unknown[][],
    ),
  }));
}

describe('report summaries after an import', () => {
  it('a large import fills them afresh (triggers set aside meanwhile), a small one through the triggers: both exact, triggers back', async () => {
    const dbFile = path.join(tempDir(), 'case.db');
    execFileSync(process.execPath, [NEEDMAP_CLI, 'demo', '--db', dbFile, '--clients', '200', '--seed', '2', '--end', '2026-10']);
    const ctx = testContext(dbFile);
    const triggers = () => ctx.caseDb.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").pluck().all();
    const before = triggers();
    // 700 new issues against the demo's few hundred: the import sets the summary triggers aside (checked here, then rolled back).
    ctx.caseDb.sqlite.exec('BEGIN');
    expect(bypassSummaryTriggers(ctx.caseDb.sqlite, 700)).not.toBeNull();
    expect(triggers().filter((n) => String(n).startsWith('report'))).toEqual([]);
    ctx.caseDb.sqlite.exec('ROLLBACK');
    expect(bypassSummaryTriggers(ctx.caseDb.sqlite, 10)).toBeNull();
    const row = (i: number, issue: string) => [
      `X${i}`,
      `Imported${i}`,
      'Person',
      '1970-01-01',
      'M1 1AE',
      '12/01/2026',
      issue,
      i % 2 ? 'resolved' : 'referred',
      i % 2 ? null : 'Citizens Advice',
      'yes',
    ];
    const large = Array.from({ length: 700 }, (_, i) => row(i, i % 3 ? 'debt' : 'loneliness'));
    const uploadId = await uploadBytes(ctx, await xlsxBytes([{ name: 'Many', rows: [[...MESSY_HEADER.slice(0, 9), 'Consent'], ...large] }]), 'many.xlsx');
    const big = await callOk(ctx, 'import.apply', { uploadId, mapping: { defaults: { 'status.changedOn': '20/02/2026' } } });
    expect(big.report.counts.issues).toBe(700);
    expect(triggers()).toEqual(before);
    for (const { table, stored, fresh } of summaries(ctx)) expect(stored, table).toEqual(fresh);

    const small = await uploadBytes(ctx, await xlsxBytes([{ name: 'Few', rows: [MESSY_HEADER, ...messyRows()] }]), 'few.xlsx');
    await callOk(ctx, 'import.apply', { uploadId: small, mapping: {} });
    for (const { table, stored, fresh } of summaries(ctx)) expect(stored, table).toEqual(fresh);
    await callOk(ctx, 'import.undo', { batchId: big.batchId! });
    for (const { table, stored, fresh } of summaries(ctx)) expect(stored, table).toEqual(fresh);
  });
});

describe('records.export', () => {
  it('returns the workbook, or a ZIP of the CSVs that only the password opens; audited', async () => {
    const ctx = testContext();
    const uploadId = await uploadBytes(ctx, await xlsxBytes([{ name: 'S', rows: [MESSY_HEADER, ...messyRows()] }]), 's.xlsx');
    await callOk(ctx, 'import.apply', { uploadId, mapping: {} });

    const xlsx = await callOk(ctx, 'records.export', { format: 'xlsx' });
    expect(xlsx.fileName).toMatch(/^needmap-records-\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(xlsx.counts).toMatchObject({ clients: 4 });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(xlsx.base64, 'base64') as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['records', 'clients', 'contacts', 'issues', 'status_history', 'referrals', 'columns']);
    expect(workbook.getWorksheet('clients')!.rowCount).toBe(5);

    const zipped = await callOk(ctx, 'records.export', { format: 'zip', password: 'correct horse battery' });
    zip.configure({ useWebWorkers: false });
    const reader = new zip.ZipReader(new zip.Uint8ArrayReader(new Uint8Array(Buffer.from(zipped.base64, 'base64'))));
    const entries = await reader.getEntries();
    expect(entries.map((e) => e.filename).sort()).toEqual([
      'clients.csv',
      'columns.csv',
      'contacts.csv',
      'issues.csv',
      'needmap-records.xlsx',
      'records.csv',
      'referrals.csv',
      'status_history.csv',
    ]);
    const clients = entries.find((e) => e.filename === 'clients.csv')!;
    expect(clients.encrypted).toBe(true);
    await expect((clients as zip.FileEntry).getData(new zip.TextWriter(), { password: 'wrong password!' })).rejects.toThrow();
    const text = await (clients as zip.FileEntry).getData(new zip.TextWriter(), { password: 'correct horse battery' });
    expect(text).toContain('Fay,Khan,1990-01-15');
    await reader.close();

    expect(await dispatch('records.export', { format: 'zip', password: 'short' }, ctx)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const audit = ctx.caseDb.sqlite.prepare("SELECT detail FROM audit_log WHERE action = 'records.export'").all() as { detail: string }[];
    expect(audit).toHaveLength(2);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ format: 'xlsx', clients: 4 });
  });
});
