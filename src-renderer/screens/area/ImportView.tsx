/**
 * Import bundles: choose files (or a whole folder), or drop them on the drop zone. Each file is
 * read as bytes and verified by the main process on its own, so one bad file never stops the
 * others; each result names the file and the exact reason. Then the import log and the bundles.
 */
import { useRef, useState, type DragEvent } from 'react';
import type { CallOutput } from '../../../src-main/ipc/contract.ts';
import { displayText } from '../../../src-main/core/display-text.ts';
import { call } from '../../api.ts';
import { shown } from '../../use-call.ts';
import { AreaError, readAsBase64, useAreaCall, whenLabel } from './common.tsx';

type Results = CallOutput<'area.import'>;

const BUNDLE_SUFFIX = '.needmap-bundle';

export function ImportView({ onChanged }: { onChanged: () => void }) {
  const [logState, reloadLog] = useAreaCall('area.importLog', { limit: 200 });
  const [bundlesState, reloadBundles] = useAreaCall('area.bundles', {});
  const [results, setResults] = useState<Results | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const log = shown(logState);
  const bundles = shown(bundlesState);

  async function importFiles(list: File[], fromFolder = false) {
    // A folder holds other files too: only bundles are sent. Chosen or dropped files all go, so a wrong one is refused by name.
    const files = fromFolder ? list.filter((f) => f.name.endsWith(BUNDLE_SUFFIX)) : list;
    setError(null);
    setResults(null);
    if (files.length === 0) {
      setError(fromFolder ? `That folder has no ${BUNDLE_SUFFIX} files.` : 'Choose at least one bundle file.');
      return;
    }
    setBusy(`Reading and verifying ${files.length} ${files.length === 1 ? 'file' : 'files'}…`);
    try {
      const payload = await Promise.all(files.map(async (f) => ({ name: f.name, base64: await readAsBase64(f) })));
      const result = await call('area.import', { files: payload, paths: [] });
      if (!result.ok) setError(result.error.message);
      else setResults(result.value);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
      if (filesInput.current) filesInput.current.value = '';
      if (folderInput.current) folderInput.current.value = '';
      reloadLog();
      reloadBundles();
      onChanged();
    }
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    void importFiles([...event.dataTransfer.files]);
  }

  const accepted = results?.filter((r) => r.outcome === 'accepted').length ?? 0;
  const refused = (results?.length ?? 0) - accepted;

  return (
    <>
      <div
        className={dragging ? 'drop-zone dragging' : 'drop-zone'}
        data-testid="drop-zone"
        role="group"
        aria-labelledby="drop-title"
        aria-describedby="drop-hint"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <h2 id="drop-title">Drop bundle files here</h2>
        <p className="hint" id="drop-hint">
          Or choose them below ({BUNDLE_SUFFIX} files, as many as you like). Each is checked: signature, format, issue list version, a trusted and unrevoked
          organisation, and a sensible period.
        </p>
        <div className="row drop-pickers">
          <div className="field">
            <label htmlFor="bundle-files">Choose bundle files</label>
            <input
              id="bundle-files"
              ref={filesInput}
              type="file"
              multiple
              accept={`${BUNDLE_SUFFIX},application/zip`}
              disabled={busy !== null}
              onChange={(e) => void importFiles([...(e.target.files ?? [])])}
            />
          </div>
          <div className="field">
            <label htmlFor="bundle-folder">Or a whole folder</label>
            <input
              id="bundle-folder"
              ref={folderInput}
              type="file"
              multiple
              disabled={busy !== null}
              {...{ webkitdirectory: '' }}
              onChange={(e) => void importFiles([...(e.target.files ?? [])], true)}
            />
          </div>
        </div>
      </div>
      <div aria-live="polite" role="status" className="import-status">
        {busy ? <p className="loading">{busy}</p> : null}
        {results ? (
          <p className="headline">
            <strong>{accepted}</strong> {accepted === 1 ? 'bundle' : 'bundles'} accepted, <strong>{refused}</strong> refused.
          </p>
        ) : null}
      </div>
      <AreaError message={error} />
      {results ? (
        <ul className="import-results" aria-label="Import results">
          {results.map((r, i) => (
            <li key={i} className={r.outcome === 'accepted' ? 'import-accepted' : 'import-refused'} data-testid="import-result">
              <strong>{displayText(r.file)}</strong>: <span className="import-outcome">{r.outcome === 'accepted' ? 'Accepted' : 'Refused'}</span>
              {r.outcome === 'accepted' && r.supersededBundleId !== null ? ' (replaces an earlier bundle for the same months)' : ''}
              <div className="import-message">
                {displayText(r.message)}
                {r.outcome === 'refused' && r.reason === 'untrusted-key' ? (
                  <>
                    {' '}
                    <a href="#/area/organisations">Add the key under Trusted organisations</a> once checked, then import the file again.
                  </>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      ) : null}

      <h2 id="bundles-title">Bundles in the area picture</h2>
      <AreaError message={bundlesState.status === 'error' ? bundlesState.error.message : null} />
      {bundles && bundles.length === 0 ? <p>No bundle has been imported yet.</p> : null}
      {bundles && bundles.length > 0 ? (
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="bundles-title">
          <table className="data-table figures-table" data-testid="bundles-table">
            <caption>Imported bundles (a superseded bundle no longer counts)</caption>
            <thead>
              <tr>
                <th scope="col">Organisation</th>
                <th scope="col">Months</th>
                <th scope="col" className="num">
                  Sequence
                </th>
                <th scope="col">Match keys</th>
                <th scope="col">File</th>
                <th scope="col">Imported</th>
                <th scope="col">Counts?</th>
              </tr>
            </thead>
            <tbody>
              {bundles.map((b) => (
                <tr key={b.id}>
                  <th scope="row">
                    {displayText(b.organisationName)} <span className="hint">({displayText(b.organisationId)})</span>
                  </th>
                  <td>
                    {b.fromMonth} to {b.toMonth}
                  </td>
                  <td className="num">{b.sequence}</td>
                  <td>{b.matchKeys ? 'Yes (opted in)' : 'No'}</td>
                  <td className="wrap">{displayText(b.fileName)}</td>
                  <td>{whenLabel(b.importedAt)}</td>
                  <td>{b.supersededBy === null ? 'Yes' : `No: replaced by bundle ${b.supersededBy}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      <h2 id="log-title">Import log</h2>
      <AreaError message={logState.status === 'error' ? logState.error.message : null} />
      {log && log.length === 0 ? <p>Nothing has been imported or refused yet.</p> : null}
      {log && log.length > 0 ? (
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="log-title">
          <table className="data-table figures-table import-log" data-testid="import-log">
            <caption>Every import, newest first: what was accepted or refused, when and why</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">File</th>
                <th scope="col">Outcome</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {log.map((entry) => (
                <tr key={entry.id} className={entry.outcome === 'refused' ? 'refused-row' : undefined}>
                  <th scope="row">{whenLabel(entry.at)}</th>
                  <td>{displayText(entry.fileName)}</td>
                  <td>{entry.outcome === 'accepted' ? 'Accepted' : `Refused (${entry.reasonCode ?? 'unknown'})`}</td>
                  <td className="wrap">{displayText(entry.message)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
