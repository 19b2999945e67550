/**
 * Restoring a backup, for the admin (#/protection/restore): choose a backup, see what it holds and
 * what restoring it would change, confirm, and log in again to the restored database. The main
 * process does the work (protect.restore): it refuses while anyone else is logged in, keeps the
 * replaced file aside, and re-applies the erasure register so nobody erased since comes back.
 */
import { useEffect, useRef, useState } from 'react';
import type { CallOutput } from '../../src-main/ipc/contract.ts';
import { call } from '../api.ts';
import { useSession } from '../auth.tsx';
import { ErrorSummary, Field, errorFor, type FieldErrors } from '../components/Field.tsx';

type Preview = CallOutput<'protect.restorePreview'>;
type Result = CallOutput<'protect.restore'>;

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 16) : '—');
const plural = (n: number, word: string) => `${n.toLocaleString('en-GB')} ${word}${n === 1 ? '' : 's'}`;

function PreviewPanel({ preview }: { preview: Preview }) {
  return (
    <div role="region" aria-label="What the backup holds" className="restore-preview">
      <h2>What this backup holds</h2>
      <dl className="details">
        <dt>Newest record</dt>
        <dd>{when(preview.latestActivity)}</dd>
        <dt>Clients</dt>
        <dd>
          {preview.clients.toLocaleString('en-GB')} ({preview.erasedClients.toLocaleString('en-GB')} erased)
        </dd>
        <dt>Contacts</dt>
        <dd>
          {preview.contacts.toLocaleString('en-GB')} ({preview.firstContact ?? '—'} to {preview.lastContact ?? '—'})
        </dd>
        <dt>Issues recorded</dt>
        <dd>{preview.issues.toLocaleString('en-GB')}</dd>
        <dt>Staff accounts</dt>
        <dd>{preview.users.toLocaleString('en-GB')}</dd>
        <dt>Encrypted</dt>
        <dd>{preview.encrypted ? 'Yes' : 'No'}</dd>
      </dl>
      <h3>What restoring it changes</h3>
      <ul>
        <li>The database now has records up to {when(preview.currentLatestActivity)}.</li>
        {preview.newerRecordsSetAside ? (
          <li className="warning">
            Records made after {when(preview.latestActivity)} are not in this backup. They will be set aside in a copy of the current database, not shown in
            NeedMap.
          </li>
        ) : null}
        <li>
          {preview.erasuresToReapply
            ? `${plural(preview.erasuresToReapply, 'person')} erased since this backup was made will be erased again straight away, before anyone uses it.`
            : 'Nobody erased since this backup was made is in it: no erasure needs re-applying.'}
        </li>
        {preview.retentionRunsToRestore ? <li>{plural(preview.retentionRunsToRestore, 'retention run')} will be put back in the retention log.</li> : null}
        <li>Everyone, you too, must log in again afterwards; accounts and passwords become those of the backup.</li>
      </ul>
    </div>
  );
}

export function RestoreScreen() {
  const { refreshStatus } = useSession();
  const [backups, setBackups] = useState<CallOutput<'protect.backupList'> | null>(null);
  const [file, setFile] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [replaceNewer, setReplaceNewer] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [summary, setSummary] = useState<string | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const resultRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    void call('protect.backupList', {}).then((r) => r.ok && setBackups(r.value));
  }, []);
  useEffect(() => resultRef.current?.focus(), [result]);

  async function showPreview(chosen: string) {
    setFile(chosen);
    setPreview(null);
    setReplaceNewer(false);
    const r = await call('protect.restorePreview', { file: chosen });
    if (!r.ok) {
      setErrors(r.error.fieldErrors);
      setSummary(r.error.message);
      return;
    }
    setErrors({});
    setSummary(null);
    setPreview(r.value);
  }

  async function restore() {
    if (!preview) return;
    const r = await call('protect.restore', { file: preview.file, replaceNewer });
    if (!r.ok) {
      setErrors(r.error.fieldErrors);
      setSummary(r.error.message);
      return;
    }
    setResult(r.value);
  }

  if (result) {
    return (
      <section>
        <h1 tabIndex={-1}>Backup restored</h1>
        <div role="status" className="success" tabIndex={-1} ref={resultRef}>
          <p>
            NeedMap now holds the backup {result.restoredFrom}: {plural(result.preview.clients, 'client')}, {plural(result.preview.contacts, 'contact')}.
          </p>
          {result.replacedFile ? <p>The database it replaced is kept at {result.replacedFile}.</p> : null}
          <p>{result.erasures.summary}</p>
        </div>
        <button type="button" className="primary" onClick={refreshStatus}>
          Log in again
        </button>
      </section>
    );
  }

  const blocked = preview ? preview.othersLoggedIn.length > 0 : true;
  return (
    <section>
      <h1 tabIndex={-1}>Restore a backup</h1>
      <p>
        Restoring replaces the whole database by a backup. <a href="#/protection">Back to Data protection</a>.
      </p>
      <ErrorSummary message={summary} />
      <fieldset>
        <legend>Choose a backup</legend>
        {backups && backups.backups.length > 0 ? (
          <ul className="backup-choices">
            {backups.backups.map((b) => (
              <li key={b.file}>
                <button type="button" onClick={() => void showPreview(b.file)} aria-pressed={file === b.file}>
                  {b.name}
                </button>{' '}
                <span className="hint">
                  made {when(b.createdAt)}, {Math.round(b.bytes / 1024).toLocaleString('en-GB')} KB
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p>There are no backups in {backups?.dir ?? 'the backup folder'} yet.</p>
        )}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void showPreview(file);
          }}
          noValidate
        >
          <Field label="Or another backup file (its full path)" error={errorFor(errors, 'file')}>
            {(p) => <input {...p} value={file} onChange={(e) => setFile(e.target.value)} />}
          </Field>
          <button type="submit">Preview this backup</button>
        </form>
      </fieldset>
      {preview ? (
        <>
          <PreviewPanel preview={preview} />
          {preview.othersLoggedIn.length > 0 ? (
            <p className="error-summary" role="alert">
              {preview.othersLoggedIn.join(', ')} {preview.othersLoggedIn.length === 1 ? 'is' : 'are'} logged in elsewhere. They must log out before the
              database can be replaced.
            </p>
          ) : null}
          {preview.newerRecordsSetAside ? (
            <div className="field">
              <label>
                <input type="checkbox" checked={replaceNewer} onChange={(e) => setReplaceNewer(e.target.checked)} /> Replace newer records (they are kept aside
                in a copy of the current file)
              </label>
            </div>
          ) : null}
          <button type="button" className="primary" disabled={blocked || (preview.newerRecordsSetAside && !replaceNewer)} onClick={() => void restore()}>
            Restore this backup
          </button>
        </>
      ) : null}
    </section>
  );
}
