/**
 * Bring records in from a spreadsheet, and take every record out. Import: choose the file (sent
 * in chunks), map its columns, match its issue phrases and duplicates, read the dry run's report,
 * then import in one transaction with a progress bar; every import can be undone whole. Export:
 * every record as one XLSX workbook or a ZIP of CSV files (optionally encrypted). Admin only.
 */
import { useEffect, useRef, useState } from 'react';
import { UPLOAD_CHUNK_CHARS, type ImportReportOut, type PreviewOut } from '../../../src-main/ipc/contract/import.ts';
import type { CallOutput } from '../../../src-main/ipc/contract.ts';
import { displayText } from '../../../src-main/core/display-text.ts';
import { call } from '../../api.ts';
import { ErrorSummary } from '../../components/Field.tsx';
import { downloadBase64, readAsBase64 } from '../../download.ts';
import { shown, useCall } from '../../use-call.ts';
import { IssuesStep, MappingStep, ReportSummary, type Mapping } from './steps.tsx';

type Step = 'file' | 'mapping' | 'issues' | 'check' | 'done';
const EMPTY_MAPPING: Mapping = { columns: {}, defaults: {}, issues: {}, dateOrder: 'day-first', duplicates: { groups: {} } };
/** Bytes per chunk: base64 makes 4 characters of 3 bytes. */
const CHUNK_BYTES = (UPLOAD_CHUNK_CHARS / 4) * 3;

async function upload(file: File): Promise<string> {
  let uploadId: string | null = null;
  for (let start = 0; start === 0 || start < file.size; start += CHUNK_BYTES) {
    const base64 = await readAsBase64(file.slice(start, start + CHUNK_BYTES), file.name);
    const done = start + CHUNK_BYTES >= file.size;
    const sent: Awaited<ReturnType<typeof call<'import.upload'>>> = await call('import.upload', { uploadId, name: file.name, base64, done });
    if (!sent.ok) throw new Error(sent.error.message);
    uploadId = sent.value.uploadId;
  }
  return uploadId!;
}

function ProgressBar({ progress }: { progress: { done: number; total: number } | null }) {
  return (
    <div className="import-progress">
      <label htmlFor="import-progress">
        Importing{progress ? `: ${progress.done.toLocaleString('en-GB')} of ${progress.total.toLocaleString('en-GB')} clients` : '…'}
      </label>
      <progress id="import-progress" max={progress?.total || 1} value={progress?.done ?? 0} />
    </div>
  );
}

function Batches({ generation, onUndone }: { generation: number; onUndone: () => void }) {
  const [state, reload] = useCall('import.batches', {});
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    reload();
  }, [generation, reload]);
  const batches = shown(state)?.batches ?? [];
  async function undo(id: number) {
    if (!window.confirm(`Remove every client and contact import ${id} created?`)) return;
    setError(null);
    const result = await call('import.undo', { batchId: id });
    if (!result.ok) setError(result.error.message);
    else setMessage(`Import ${id} undone: ${result.value.clients} clients and ${result.value.contacts} contacts removed.`);
    reload();
    onUndone();
  }
  return (
    <section aria-labelledby="batches-title">
      <h2 id="batches-title">Imports so far</h2>
      <ErrorSummary message={error} />
      <div role="status">{message}</div>
      {batches.length === 0 ? (
        <p>None yet.</p>
      ) : (
        <table className="data-table batches-table">
          <thead>
            <tr>
              <th scope="col">Import</th>
              <th scope="col">When</th>
              <th scope="col">By</th>
              <th scope="col">Sheet</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="visually-hidden">Undo</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {batches.map((b) => (
              <tr key={b.id} data-testid="batch-row">
                <td className="num">{b.id}</td>
                <td>{b.importedAt.slice(0, 16).replace('T', ' ')}</td>
                <td>{displayText(b.username ?? '—')}</td>
                <td>{displayText(b.sheet)}</td>
                <td>
                  {b.clientsCreated} clients, {b.contacts} contacts, {b.issues} issues
                </td>
                <td>
                  {b.undoneAt ? (
                    `Undone ${b.undoneAt.slice(0, 10)}`
                  ) : (
                    <button type="button" onClick={() => void undo(b.id)}>
                      Undo import {b.id}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function RecordsExport() {
  const [format, setFormat] = useState<'xlsx' | 'zip'>('xlsx');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<CallOutput<'records.export'> | null>(null);
  async function exportRecords() {
    setBusy(true);
    setError(null);
    const result = await call('records.export', { format, password: format === 'zip' && password ? password : null });
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    setDone(result.value);
    downloadBase64(result.value.fileName, result.value.base64);
  }
  return (
    <section aria-labelledby="records-export-title">
      <h2 id="records-export-title">Export every record</h2>
      <p className="hint">
        Clients, contacts, issues, status history and referrals, with a sheet describing every column — to analyse elsewhere or to leave NeedMap. This is
        personal data: the export is recorded in the audit log. Keep the file safe.
      </p>
      <ErrorSummary message={error} />
      <div className="row">
        <div className="field">
          <label htmlFor="export-format">Format</label>
          <select id="export-format" value={format} onChange={(e) => setFormat(e.target.value as 'xlsx' | 'zip')}>
            <option value="xlsx">One Excel workbook (.xlsx)</option>
            <option value="zip">CSV files and the workbook in a ZIP</option>
          </select>
        </div>
        {format === 'zip' ? (
          <div className="field">
            <label htmlFor="export-password">Password for the ZIP (optional, at least 10 characters)</label>
            <input id="export-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          </div>
        ) : null}
      </div>
      <button type="button" className="primary" disabled={busy} onClick={() => void exportRecords()}>
        {busy ? 'Exporting…' : 'Export records'}
      </button>
      <div role="status">{done ? `Exported ${done.counts.clients ?? 0} clients as ${done.fileName}.` : null}</div>
    </section>
  );
}

export function ImportScreen() {
  const [step, setStep] = useState<Step>('file');
  const [uploadId, setUploadId] = useState<string | null>(null);
  const [sheet, setSheet] = useState<string | undefined>(undefined);
  const [mapping, setMapping] = useState<Mapping>(EMPTY_MAPPING);
  const [preview, setPreview] = useState<PreviewOut | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [allOrNothing, setAllOrNothing] = useState(false);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [result, setResult] = useState<{ batchId: number | null; report: ImportReportOut } | null>(null);
  const [generation, setGeneration] = useState(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  async function runPreview(id: string, m: Mapping, sheetName: string | undefined, next?: Step) {
    setBusy('Checking the sheet…');
    setError(null);
    const r = await call('import.preview', { uploadId: id, mapping: m, ...(sheetName ? { sheet: sheetName } : {}) });
    setBusy(null);
    if (!r.ok) {
      setError(r.error.message);
      return;
    }
    setPreview(r.value);
    // The proposals become the mapping's explicit columns, so what the user sees is what is imported.
    setMapping({ ...m, columns: r.value.report.columns });
    if (next) setStep(next);
  }

  async function chooseFile(file: File | undefined) {
    if (!file) return;
    setError(null);
    setResult(null);
    setBusy(`Reading ${file.name}…`);
    try {
      const id = await upload(file);
      setUploadId(id);
      setSheet(undefined);
      await runPreview(id, EMPTY_MAPPING, undefined, 'mapping');
    } catch (e) {
      setBusy(null);
      setError((e as Error).message);
    }
  }

  async function apply() {
    if (!uploadId) return;
    setError(null);
    setBusy('Importing…');
    setProgress(null);
    const timer = window.setInterval(() => {
      void call('import.progress', {}).then((p) => p.ok && p.value && setProgress(p.value));
    }, 300);
    const r = await call('import.apply', { uploadId, mapping, allOrNothing, ...(sheet ? { sheet } : {}) });
    window.clearInterval(timer);
    setBusy(null);
    if (!r.ok) return setError(r.error.message);
    setResult(r.value);
    setStep('done');
    setGeneration((g) => g + 1);
  }

  function restart() {
    setStep('file');
    setPreview(null);
    setUploadId(null);
    setMapping(EMPTY_MAPPING);
    setResult(null);
    if (fileInput.current) fileInput.current.value = '';
  }

  useEffect(() => {
    heading.current?.scrollIntoView?.({ block: 'nearest' });
  }, [step]);

  const report = preview?.report ?? null;
  return (
    <section aria-labelledby="import-title" className="import-screen">
      <h1 id="import-title" tabIndex={-1} ref={heading}>
        Import and export records
      </h1>
      <p className="hint">
        Bring clients, contacts and issues in from a spreadsheet (Excel .xlsx or .csv): one row per client, or one row per contact or issue. Nothing is written
        until the last step, and any import can be undone whole.
      </p>
      <ol className="steps" aria-label="Steps">
        {(['file', 'mapping', 'issues', 'check'] as const).map((s, i) => (
          <li key={s} aria-current={step === s ? 'step' : undefined}>
            {['Choose the file', 'Columns', 'Issues and duplicates', 'Check and import'][i]}
          </li>
        ))}
      </ol>
      <ErrorSummary message={error} />
      <div role="status" aria-live="polite">
        {busy && !busy.startsWith('Importing') ? <p className="loading">{busy}</p> : null}
      </div>
      {busy?.startsWith('Importing') ? <ProgressBar progress={progress} /> : null}

      {step === 'file' || step === 'done' ? (
        <div className="field">
          <label htmlFor="import-file">1. Spreadsheet to import (.xlsx or .csv)</label>
          <input
            id="import-file"
            ref={fileInput}
            type="file"
            accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            disabled={busy !== null}
            onChange={(e) => void chooseFile(e.target.files?.[0])}
          />
        </div>
      ) : null}

      {preview && report && step !== 'file' && step !== 'done' ? (
        <>
          <p>
            File: <strong>{displayText(report.sheet)}</strong>, {report.rowsRead} rows.{' '}
            <button type="button" onClick={restart}>
              Choose another file
            </button>
          </p>
          {report.sheetNames.length > 1 && step === 'mapping' ? (
            <div className="field">
              <label htmlFor="import-sheet">Sheet</label>
              <select
                id="import-sheet"
                value={sheet ?? report.sheet}
                onChange={(e) => {
                  setSheet(e.target.value);
                  void runPreview(uploadId!, { ...mapping, columns: {} }, e.target.value);
                }}
              >
                {report.sheetNames.map((n) => (
                  <option key={n}>{n}</option>
                ))}
              </select>
            </div>
          ) : null}
          {step === 'mapping' ? <MappingStep preview={preview} mapping={mapping} onChange={setMapping} /> : null}
          {step === 'issues' ? <IssuesStep report={report} mapping={mapping} onChange={(m) => void runPreview(uploadId!, m, sheet)} /> : null}
          {step === 'check' ? (
            <section aria-labelledby="check-title">
              <h2 id="check-title">4. Check, then import</h2>
              <ReportSummary report={report} imported={false} />
              <label className="checkbox">
                <input type="checkbox" checked={allOrNothing} onChange={(e) => setAllOrNothing(e.target.checked)} /> Import nothing if any row is refused
              </label>
            </section>
          ) : null}
          <div className="row form-actions">
            {step !== 'mapping' ? (
              <button type="button" disabled={busy !== null} onClick={() => setStep(step === 'check' ? 'issues' : 'mapping')}>
                Back
              </button>
            ) : null}
            {step === 'mapping' ? (
              <button type="button" className="primary" disabled={busy !== null} onClick={() => void runPreview(uploadId!, mapping, sheet, 'issues')}>
                Next: issues
              </button>
            ) : null}
            {step === 'issues' ? (
              <button type="button" className="primary" disabled={busy !== null} onClick={() => void runPreview(uploadId!, mapping, sheet, 'check')}>
                Next: check
              </button>
            ) : null}
            {step === 'check' ? (
              <button
                type="button"
                className="primary"
                disabled={busy !== null || report.rowsImported === 0 || (allOrNothing && report.rowsRefused > 0)}
                onClick={() => void apply()}
              >
                Import {report.rowsImported} rows
              </button>
            ) : null}
          </div>
        </>
      ) : null}

      {step === 'done' && result ? (
        <section aria-labelledby="done-title">
          <h2 id="done-title">{result.batchId === null ? 'Nothing was imported' : `Imported as import ${result.batchId}`}</h2>
          <ReportSummary report={result.report} imported={result.batchId !== null} />
          <p className="hint">To take it back out, use “Undo” below.</p>
        </section>
      ) : null}

      <Batches generation={generation} onUndone={() => setGeneration((g) => g + 1)} />
      <RecordsExport />
    </section>
  );
}
