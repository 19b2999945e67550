/**
 * Data protection, for the organisation's admin: staff accounts, auto-lock and retention,
 * backups, and the tamper-evident audit log. #/protection/retention (the start-up retention
 * banner's link) opens the retention preview straight away.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { CallOutput } from '../../src-main/ipc/contract.ts';
import { ROLE_VALUES, type Role } from '../../src-main/core/records/staff-account.ts';
import { call } from '../api.ts';
import { useSession } from '../auth.tsx';
import { downloadText } from '../download.ts';
import { ErrorSummary, Field, errorFor, type FieldErrors } from '../components/Field.tsx';

type Users = CallOutput<'users.list'>['users'];

function useForm<T extends Record<string, string>>(initial: T) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [summary, setSummary] = useState<string | null>(null);
  return {
    values,
    errors,
    summary,
    set: (key: keyof T) => (value: string) => setValues((v) => ({ ...v, [key]: value })),
    fail: (message: string, fieldErrors: FieldErrors) => {
      setSummary(message);
      setErrors(fieldErrors);
    },
    reset: () => {
      setValues(initial);
      setErrors({});
      setSummary(null);
    },
  };
}

function StaffAccounts() {
  const [users, setUsers] = useState<Users>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const form = useForm({ username: '', displayName: '', role: 'caseworker', password: '' });
  const load = () => void call('users.list', {}).then((r) => r.ok && setUsers(r.value.users));
  useEffect(load, []);

  async function create(e: FormEvent) {
    e.preventDefault();
    const r = await call('users.create', { ...form.values, role: form.values.role as Role });
    if (!r.ok) return form.fail(r.error.message, r.error.fieldErrors);
    setNotice(`Account ${form.values.username} created.`);
    form.reset();
    load();
  }

  async function act(promise: Promise<{ ok: boolean; error?: { message: string } }>, done: string) {
    const r = await promise;
    setNotice(r.ok ? done : (r.error?.message ?? 'That did not work.'));
    load();
  }

  return (
    <div>
      <h2>Staff accounts</h2>
      {notice ? (
        <p role="status" className="success">
          {notice}
        </p>
      ) : null}
      <table className="data-table users-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Username</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>{u.displayName}</td>
              <td>{u.username}</td>
              <td>
                <label className="visually-hidden" htmlFor={`role-${u.id}`}>
                  Role of {u.username}
                </label>
                <select
                  id={`role-${u.id}`}
                  value={u.role}
                  disabled={u.disabledAt !== null}
                  onChange={(e) => void act(call('users.setRole', { id: u.id, role: e.target.value as Role }), `${u.username} is now ${e.target.value}.`)}
                >
                  {ROLE_VALUES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </td>
              <td>{u.disabledAt ? `Disabled ${u.disabledAt.slice(0, 10)}` : 'Active'}</td>
              <td>
                {u.disabledAt ? null : (
                  <button type="button" onClick={() => void act(call('users.disable', { id: u.id }), `${u.username} can no longer log in.`)}>
                    Disable<span className="visually-hidden"> {u.username}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={create} noValidate aria-labelledby="new-user-heading">
        <h3 id="new-user-heading">Add a staff account</h3>
        <ErrorSummary message={form.summary} />
        <div className="row">
          <Field label="Name" error={errorFor(form.errors, 'displayName')}>
            {(p) => <input {...p} value={form.values.displayName} onChange={(e) => form.set('displayName')(e.target.value)} />}
          </Field>
          <Field label="New username" error={errorFor(form.errors, 'username')}>
            {(p) => <input {...p} value={form.values.username} onChange={(e) => form.set('username')(e.target.value)} autoComplete="off" />}
          </Field>
        </div>
        <div className="row">
          <Field label="Role" error={errorFor(form.errors, 'role')}>
            {(p) => (
              <select {...p} value={form.values.role} onChange={(e) => form.set('role')(e.target.value)}>
                <option value="caseworker">Caseworker — records clients and issues</option>
                <option value="manager">Manager — also reports and exports</option>
                <option value="admin">Admin — also accounts, settings and erasure</option>
              </select>
            )}
          </Field>
          <Field label="Initial password" error={errorFor(form.errors, 'password')} hint="At least 10 characters; tell it to the person privately.">
            {(p) => (
              <input {...p} type="password" value={form.values.password} onChange={(e) => form.set('password')(e.target.value)} autoComplete="new-password" />
            )}
          </Field>
        </div>
        <button type="submit" className="primary">
          Add account
        </button>
      </form>
    </div>
  );
}

type RetentionRuns = CallOutput<'protect.retentionLog'>['runs'];

function RetentionLog({ runs }: { runs: RetentionRuns }) {
  if (runs.length === 0) return <p>Retention has not been applied yet.</p>;
  return (
    <table className="data-table">
      <caption>Retention runs</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Policy</th>
          <th scope="col">No contact since</th>
          <th scope="col">Clients anonymised</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id}>
            <td>{run.ranAt.replace('T', ' ').slice(0, 16)}</td>
            <td>{run.policyYears} years</td>
            <td>{run.cutoffDate}</td>
            <td className="num">{run.anonymised.toLocaleString('en-GB')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Policies({ openRetention }: { openRetention: boolean }) {
  const { refreshStatus } = useSession();
  const [settings, setSettings] = useState<CallOutput<'protect.settings'> | null>(null);
  const [preview, setPreview] = useState<CallOutput<'protect.retentionPreview'> | null>(null);
  const [runs, setRuns] = useState<RetentionRuns>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [retentionNotice, setRetentionNotice] = useState<string | null>(null);
  const retentionHeading = useRef<HTMLHeadingElement>(null);
  const loadRuns = useCallback(() => void call('protect.retentionLog', {}).then((r) => r.ok && setRuns(r.value.runs)), []);
  useEffect(loadRuns, [loadRuns]);
  const form = useForm({ autoLockMinutes: '', retentionYears: '', backupDir: '', backupKeep: '' });

  useEffect(() => {
    void call('protect.settings', {}).then((r) => {
      if (!r.ok) return;
      setSettings(r.value);
      form.set('autoLockMinutes')(String(r.value.autoLockMinutes));
      form.set('retentionYears')(String(r.value.retentionYears));
      form.set('backupDir')(r.value.backupDir ?? '');
      form.set('backupKeep')(String(r.value.backupKeep));
    });
  }, []);

  async function save(e: FormEvent) {
    e.preventDefault();
    const v = form.values;
    const r = await call('protect.settings', {
      autoLockMinutes: Number(v.autoLockMinutes),
      retentionYears: Number(v.retentionYears),
      backupDir: v.backupDir.trim() === '' ? null : v.backupDir,
      backupKeep: Number(v.backupKeep),
    });
    if (!r.ok) return form.fail(r.error.message, r.error.fieldErrors);
    setSettings(r.value);
    setNotice('Saved.');
    refreshStatus(); // the screen's auto-lock timer follows the new minutes
  }

  async function previewRetention() {
    const r = await call('protect.retentionPreview', {});
    if (r.ok) setPreview(r.value);
    else setRetentionNotice(r.error.message);
  }

  async function applyRetention() {
    if (!preview) return;
    const r = await call('protect.retentionApply', { clientIds: preview.clients.map((c) => c.id), today: preview.today });
    setRetentionNotice(
      r.ok ? `Anonymised ${r.value.anonymised} client${r.value.anonymised === 1 ? '' : 's'} with no contact since ${r.value.cutoffDate}.` : r.error.message,
    );
    setPreview(null);
    loadRuns();
  }

  // Arriving from the start-up banner: show the preview and take the reader to it.
  useEffect(() => {
    if (!openRetention) return;
    void previewRetention().then(() => retentionHeading.current?.focus());
  }, [openRetention]);

  return (
    <div>
      <h2>Auto-lock, retention and backups</h2>
      {notice ? (
        <p role="status" className="success">
          {notice}
        </p>
      ) : null}
      <form onSubmit={save} noValidate>
        <ErrorSummary message={form.summary} />
        <div className="row">
          <Field label="Lock after this many minutes without use" error={errorFor(form.errors, 'autoLockMinutes')}>
            {(p) => (
              <input {...p} type="number" min={1} max={240} value={form.values.autoLockMinutes} onChange={(e) => form.set('autoLockMinutes')(e.target.value)} />
            )}
          </Field>
          <Field label="Anonymise clients with no contact for (years)" error={errorFor(form.errors, 'retentionYears')}>
            {(p) => (
              <input {...p} type="number" min={1} max={100} value={form.values.retentionYears} onChange={(e) => form.set('retentionYears')(e.target.value)} />
            )}
          </Field>
        </div>
        <div className="row">
          <Field
            label="Backup folder (e.g. a USB stick or network folder)"
            error={errorFor(form.errors, 'backupDir')}
            hint="Leave blank for the default folder beside the database."
          >
            {(p) => <input {...p} value={form.values.backupDir} onChange={(e) => form.set('backupDir')(e.target.value)} />}
          </Field>
          <Field label="Backups to keep" error={errorFor(form.errors, 'backupKeep')}>
            {(p) => <input {...p} type="number" min={1} max={365} value={form.values.backupKeep} onChange={(e) => form.set('backupKeep')(e.target.value)} />}
          </Field>
        </div>
        <button type="submit" className="primary" disabled={!settings}>
          Save data protection settings
        </button>
      </form>
      <h3 id="retention" ref={retentionHeading} tabIndex={-1}>
        Retention
      </h3>
      <p>Clients with no contact for {settings?.retentionYears ?? '…'} years are anonymised: personal details removed, anonymous counts kept.</p>
      {retentionNotice ? (
        <p role="status" className="success">
          {retentionNotice}
        </p>
      ) : null}
      <button type="button" onClick={() => void previewRetention()}>
        Preview who would be anonymised
      </button>
      {preview ? (
        <div className="retention-preview" role="region" aria-label="Retention preview">
          <p>
            {preview.clients.length} client{preview.clients.length === 1 ? '' : 's'} with no contact since {preview.cutoffDate}.
          </p>
          {preview.clients.length > 0 ? (
            <>
              <details>
                <summary>Which clients (record number and last contact)</summary>
                <ul className="retention-list">
                  {preview.clients.slice(0, 500).map((c) => (
                    <li key={c.id}>
                      <a href={`#/clients/${c.id}`}>Client {c.id}</a>: last contact {c.lastContactDate}
                    </li>
                  ))}
                  {preview.clients.length > 500 ? <li>…and {preview.clients.length - 500} more</li> : null}
                </ul>
              </details>
              <button type="button" className="primary" onClick={() => void applyRetention()}>
                {preview.clients.length === 1 ? 'Anonymise this client' : `Anonymise these ${preview.clients.length} clients`}
              </button>
            </>
          ) : null}
        </div>
      ) : null}
      <h3>Retention log</h3>
      <RetentionLog runs={runs} />
    </div>
  );
}

function Backups() {
  const [list, setList] = useState<CallOutput<'protect.backupList'> | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const load = () => void call('protect.backupList', {}).then((r) => r.ok && setList(r.value));
  useEffect(load, []);
  async function backupNow() {
    const r = await call('protect.backupNow', {});
    setNotice(r.ok ? `Backed up to ${r.value.backup.name}.` : r.error.message);
    load();
  }
  return (
    <div>
      <h2>Backups</h2>
      {notice ? (
        <p role="status" className="success">
          {notice}
        </p>
      ) : null}
      <p>Backups are encrypted like the database.</p>
      <div className="actions">
        <button type="button" className="primary" onClick={() => void backupNow()}>
          Back up now
        </button>
        <a href="#/protection/restore">Restore a backup…</a>
      </div>
      {list ? (
        <table className="data-table">
          <caption>Backups in {list.dir}</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Made</th>
              <th scope="col">Size</th>
            </tr>
          </thead>
          <tbody>
            {list.backups.map((b) => (
              <tr key={b.file}>
                <td>{b.name}</td>
                <td>{b.createdAt.replace('T', ' ').slice(0, 16)}</td>
                <td className="num">{Math.round(b.bytes / 1024).toLocaleString('en-GB')} KB</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

/** The client PC an entry came from (office server), or "this PC". */
function deviceOf(detail: string): string {
  try {
    const device = (JSON.parse(detail) as { device?: { name?: unknown } }).device;
    return typeof device?.name === 'string' ? device.name : 'this PC';
  } catch {
    return 'this PC';
  }
}

function AuditLog() {
  const [log, setLog] = useState<CallOutput<'protect.auditList'> | null>(null);
  const [check, setCheck] = useState<CallOutput<'protect.auditVerify'> | null>(null);
  const [exportNotice, setExportNotice] = useState<string | null>(null);
  async function exportCsv() {
    const r = await call('protect.auditExport', {});
    if (!r.ok) return setExportNotice(r.error.message);
    downloadText(r.value.fileName, r.value.csv, 'text/csv;charset=utf-8');
    setExportNotice(`Downloaded ${r.value.fileName}: ${r.value.entries.toLocaleString('en-GB')} entries, with their hashes.`);
  }
  useEffect(() => {
    void call('protect.auditList', { limit: 50 }).then((r) => r.ok && setLog(r.value));
  }, []);
  return (
    <div>
      <h2>Audit log</h2>
      <p>Every view of a client, change, export, erasure and login is logged. Each entry carries the hash of the one before, so any edit or gap shows.</p>
      <div className="actions">
        <button type="button" onClick={() => void call('protect.auditVerify', {}).then((r) => r.ok && setCheck(r.value))}>
          Check the audit log is intact
        </button>
        <button type="button" onClick={() => void exportCsv()}>
          Export the audit log (CSV)
        </button>
      </div>
      {exportNotice ? (
        <p role="status" className="success">
          {exportNotice}
        </p>
      ) : null}
      {check ? (
        <p role="status" className={check.ok ? 'success' : 'error-summary'}>
          {check.ok ? `Intact: ${check.entries} entries, none changed or missing.` : `Problem at entry ${check.firstBadId}: ${check.reason}`}
        </p>
      ) : null}
      {log ? (
        <table className="data-table">
          <caption>
            Latest {log.entries.length} of {log.total} entries
          </caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">PC</th>
              <th scope="col">What</th>
              <th scope="col">Record</th>
            </tr>
          </thead>
          <tbody>
            {log.entries.map((e) => (
              <tr key={e.id}>
                <td>{e.at.replace('T', ' ').slice(0, 19)}</td>
                <td>{e.username ?? '—'}</td>
                <td>{deviceOf(e.detail)}</td>
                <td>{e.action}</td>
                <td>{e.target ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

export function ProtectionScreen() {
  const openRetention = window.location.hash.replace(/^#/, '').split('/').filter(Boolean)[1] === 'retention';
  return (
    <section>
      <h1 tabIndex={-1}>Data protection</h1>
      <StaffAccounts />
      <Policies openRetention={openRetention} />
      <Backups />
      <AuditLog />
    </section>
  );
}
