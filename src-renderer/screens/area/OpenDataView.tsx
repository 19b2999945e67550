/**
 * Open data: the combined cube as CSV with CSV on the Web (CSVW) metadata, disclosure control
 * applied again at area level. In the browser the main process returns the files' text and each
 * is offered as a download (one per click, so the browser never blocks a burst of downloads).
 */
import { useState, type FormEvent } from 'react';
import type { CallOutput } from '../../../src-main/ipc/contract.ts';
import { displayText } from '../../../src-main/core/display-text.ts';
import { call } from '../../api.ts';
import { ErrorSummary, Field, errorFor, type FieldErrors } from '../../components/Field.tsx';
import { downloadText } from '../../download.ts';

type Export = CallOutput<'area.exportOpenData'>;

function mimeType(name: string): string {
  return name.endsWith('.json') ? 'application/csvm+json;charset=utf-8' : 'text/csv;charset=utf-8';
}

export function OpenDataView() {
  const [thresholdText, setThresholdText] = useState('10');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<Export | null>(null);
  const [busy, setBusy] = useState(false);

  async function prepare(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setErrors({});
    setResult(null);
    const threshold = Number(thresholdText);
    if (!/^\d+$/.test(thresholdText.trim()) || threshold < 1 || threshold > 1000) {
      setErrors({ threshold: ['Enter a whole number from 1 to 1,000.'] });
      return;
    }
    setBusy(true);
    const response = await call('area.exportOpenData', { threshold });
    setBusy(false);
    if (!response.ok) {
      setErrors(response.error.fieldErrors);
      setError(response.error.message);
      return;
    }
    setResult(response.value);
  }

  return (
    <>
      <form className="area-form" onSubmit={prepare} noValidate aria-labelledby="open-data-title">
        <h2 id="open-data-title">Publish open data</h2>
        <p>
          The combined figures as CSV files, with a CSV on the Web metadata file describing every column, the issue list version, the disclosure rule applied
          and the Open Government Licence. Every table lists every combination of its areas, periods and codes. No cell below the threshold is published, and
          enough other cells are hidden that a suppressed one cannot be worked out from totals, within a table or across tables. Match keys are never included.
        </p>
        <ErrorSummary message={error} />
        <Field label="Disclosure threshold" hint="The smallest count published; 10 is usual." error={errorFor(errors, 'threshold')}>
          {(p) => <input {...p} inputMode="numeric" className="days-input" value={thresholdText} onChange={(e) => setThresholdText(e.target.value)} />}
        </Field>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Preparing…' : 'Prepare open data'}
          </button>
        </div>
      </form>
      {result ? (
        <div className="open-data-result" role="status" aria-live="polite">
          <h2 id="open-data-files">Ready to download</h2>
          <p>
            Disclosure threshold {result.threshold}. {result.outDir ? `Written to ${result.outDir}.` : 'Download each file below and publish them together.'}
          </p>
          {result.leftOut.length > 0 ? (
            <p data-testid="open-data-left-out">
              Left out:{' '}
              {result.leftOut
                .map((b) => `${displayText(b.organisationName)} (${b.organisationId}) bundle #${b.sequence}, ${b.fromMonth} to ${b.toMonth}`)
                .join('; ')}{' '}
              — in the retired bundle format, whose tables are not complete. Import a newer bundle for the same months from each.
            </p>
          ) : null}
          <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="open-data-files">
            <table className="data-table figures-table" data-testid="open-data-tables">
              <caption>What each table publishes</caption>
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col" className="num">
                    Rows
                  </th>
                  <th scope="col" className="num">
                    Published cells
                  </th>
                  <th scope="col" className="num">
                    Suppressed cells
                  </th>
                </tr>
              </thead>
              <tbody>
                {result.tables.map((t) => (
                  <tr key={t.id}>
                    <th scope="row">{t.file}</th>
                    <td className="num">{t.rows.toLocaleString('en-GB')}</td>
                    <td className="num">{t.published.toLocaleString('en-GB')}</td>
                    <td className="num">{t.suppressed.toLocaleString('en-GB')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ul className="download-list">
            {result.files.map((f) => (
              <li key={f.name}>
                <button type="button" onClick={() => downloadText(f.name, f.text, mimeType(f.name))}>
                  Download {f.name}
                </button>
                <span className="hint"> {f.name.endsWith('.json') ? 'CSVW metadata' : 'CSV'}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}
