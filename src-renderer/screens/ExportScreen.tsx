/**
 * Contribute: choose whole months, preview exactly what will leave (every table as the local
 * authority will see it, suppressed cells marked), then export the signed bundle.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { CallOutput } from '../../src-main/ipc/contract.ts';
import { SUPPRESSED, universeSize } from '../../src-main/core/bundle/schema.ts';
import { call } from '../api.ts';
import { ErrorSummary, Field, errorFor, type FieldErrors } from '../components/Field.tsx';
import { downloadBase64 } from '../download.ts';

type Preview = CallOutput<'bundle.preview'>;
type Payload = Preview['payload'];
type Count = Payload['tables'][number]['cells'][number]['people'];

const ROWS_SHOWN = 100;

function monthsAgo(n: number): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getFullYear(), now.getMonth() - n, 1));
  return d.toISOString().slice(0, 7);
}

function CountCell({ count }: { count: Count }) {
  return count !== SUPPRESSED ? (
    <td className="num">{count}</td>
  ) : (
    <td className="num suppressed">
      <abbr title="Suppressed to protect people in small groups">suppressed</abbr>
    </td>
  );
}

/** The listed cells of a table (those not published as 0) and how many cells its universe has in all. */
function previewRows(table: Payload['tables'][number]) {
  return { rows: table.cells, total: universeSize(table.universe) };
}

function PreviewTables({ payload }: { payload: Payload }) {
  return (
    <>
      {payload.tables.map((table) => {
        const { rows, total } = previewRows(table);
        return (
          <details key={table.id} className="preview-table" open={table.id === payload.tables[0]?.id}>
            <summary>
              <strong>{table.title}</strong> — {total} cells, {rows.length} of them not 0
            </summary>
            <table className="data-table">
              <caption className="visually-hidden">{table.title}</caption>
              <thead>
                <tr>
                  {table.dimensions.map((d) => (
                    <th scope="col" key={d}>
                      {d}
                    </th>
                  ))}
                  <th scope="col">People</th>
                  <th scope="col">Presentations</th>
                </tr>
              </thead>
              <tbody>
                {rows.slice(0, ROWS_SHOWN).map((cell) => (
                  <tr key={cell.key.join('|')}>
                    {cell.key.map((k, i) => (
                      <td key={i}>{k}</td>
                    ))}
                    <CountCell count={cell.people} />
                    <CountCell count={cell.presentations} />
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="hint">
              {rows.length > ROWS_SHOWN ? `Showing the first ${ROWS_SHOWN} of the ${rows.length} cells that are not 0. ` : ''}
              The table covers all {total} cells (every sector or district, month or whole quarter and code); those not shown are published as 0, whatever their
              true count, so a 0 never stands out.
            </p>
          </details>
        );
      })}
    </>
  );
}

export function ExportScreen() {
  const [from, setFrom] = useState(monthsAgo(3));
  const [to, setTo] = useState(monthsAgo(1));
  const [passphrase, setPassphrase] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [summary, setSummary] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [log, setLog] = useState<CallOutput<'bundle.log'>['entries']>([]);
  const [busy, setBusy] = useState(false);

  const loadLog = () => void call('bundle.log', {}).then((r) => r.ok && setLog(r.value.entries));
  useEffect(loadLog, []);

  function fail(message: string, fieldErrors: FieldErrors) {
    setSummary(message);
    setErrors(fieldErrors);
  }

  async function showPreview(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setDone(null);
    const r = await call('bundle.preview', { from, to });
    setBusy(false);
    if (!r.ok) return fail(r.error.message, r.error.fieldErrors);
    setSummary(null);
    setErrors({});
    setPreview(r.value);
  }

  async function exportBundle() {
    setBusy(true);
    const r = await call('bundle.export', { from, to, ...(passphrase ? { passphrase } : {}) });
    setBusy(false);
    if (!r.ok) return fail(r.error.message, r.error.fieldErrors);
    if (r.value.base64) downloadBase64(r.value.fileName, r.value.base64);
    setDone(`Exported ${r.value.fileName} (sequence ${r.value.sequence}, ${r.value.byteSize} bytes), signed by key ${r.value.groupedFingerprint}.`);
    setPreview(null);
    loadLog();
  }

  return (
    <section>
      <h1 tabIndex={-1}>Export to the local authority</h1>
      <p>
        The bundle holds counts only — never names, dates of birth, full postcodes or notes — with small numbers protected. It covers whole, closed calendar
        months and is signed so the receiver can check it came from you unaltered.
      </p>
      <ErrorSummary message={summary} />
      {errors.organisation ? (
        <p>
          <a href="#/settings">Set the organisation name and id in Settings</a>, then come back to export.
        </p>
      ) : null}
      {done ? (
        <div className="success" role="status">
          {done}
        </div>
      ) : null}
      <form onSubmit={showPreview} noValidate>
        <div className="row">
          <Field label="First month" error={errorFor(errors, 'from')}>
            {(p) => <input {...p} type="month" value={from} onChange={(e) => setFrom(e.target.value)} />}
          </Field>
          <Field label="Last month" error={errorFor(errors, 'to')}>
            {(p) => <input {...p} type="month" value={to} onChange={(e) => setTo(e.target.value)} />}
          </Field>
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Preview what will leave
          </button>
        </div>
      </form>

      {preview ? (
        <div className="preview">
          <h2>Preview: exactly what the local authority will receive</h2>
          <dl className="details">
            <dt>Organisation</dt>
            <dd>
              {preview.payload.organisation.name} ({preview.payload.organisation.id})
            </dd>
            <dt>Months</dt>
            <dd>{preview.payload.period.months.join(', ')}</dd>
            <dt>Disclosure control</dt>
            <dd>{preview.payload.disclosure.policy}</dd>
            <dt>Issue taxonomy</dt>
            <dd>{preview.payload.taxonomyVersion}</dd>
            <dt>Signing key</dt>
            <dd>{preview.keyExists ? preview.payload.signer.fingerprint : 'A new key will be created when you export.'}</dd>
          </dl>
          <PreviewTables payload={preview.payload} />
          <Field
            label="Signing key passphrase (if your key is protected by one)"
            error={errorFor(errors, 'passphrase')}
            hint="Leave blank when the key is protected by this computer's account."
          >
            {(p) => <input {...p} type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="off" />}
          </Field>
          <div className="actions">
            <button type="button" className="primary" onClick={() => void exportBundle()} disabled={busy}>
              Export signed bundle
            </button>
            <button type="button" onClick={() => setPreview(null)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}

      <h2>Export log</h2>
      {log.length === 0 ? (
        <p>Nothing has been exported yet.</p>
      ) : (
        <table className="data-table export-log">
          <thead>
            <tr>
              <th scope="col">Sequence</th>
              <th scope="col">Months</th>
              <th scope="col">Exported</th>
              <th scope="col">Disclosure control</th>
              <th scope="col">Size</th>
              <th scope="col">Signing key</th>
            </tr>
          </thead>
          <tbody>
            {log.map((entry) => (
              <tr key={entry.sequence}>
                <td>{entry.sequence}</td>
                <td>
                  {entry.fromMonth} to {entry.toMonth}
                </td>
                <td>{entry.createdAt.replace('T', ' ').slice(0, 16)}</td>
                <td>{entry.policy}</td>
                <td>{entry.byteSize} bytes</td>
                <td className="mono">{entry.fingerprint.slice(0, 16)}…</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
