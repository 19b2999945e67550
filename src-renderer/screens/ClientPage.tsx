import { Fragment, useCallback, useEffect, useState, type FormEvent } from 'react';
import { ISSUE_STATUS_LABELS, ISSUE_STATUS_VALUES, type IssueStatus } from '../../src-main/core/issue-status.ts';
import { ERASED_FIRST_NAME, ERASED_LAST_NAME } from '../../src-main/core/protect/erasure.ts';
import { CONTACT_KIND_LABELS, PREFERRED_CONTACT_LABELS, todayIso } from '../../src-main/core/recording.ts';
import type { CallOutput, ClientIssue } from '../../src-main/ipc/contract.ts';
import { call } from '../api.ts';
import { useSession } from '../auth.tsx';
import { downloadText } from '../download.ts';
import { useTaxonomy } from '../use-taxonomy.ts';
import { ErrorSummary, Field, errorFor, type FieldErrors } from '../components/Field.tsx';
import { DeprivationBadge } from '../components/DeprivationBadge.tsx';

type Detail = CallOutput<'clients.get'>;

function StatusChangeForm({ issue, onDone, onCancel }: { issue: ClientIssue; onDone: () => void; onCancel: () => void }) {
  const [status, setStatus] = useState<IssueStatus | ''>('');
  const [changedOn, setChangedOn] = useState(todayIso());
  const [note, setNote] = useState('');
  const [referredTo, setReferredTo] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [summary, setSummary] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await call('issues.changeStatus', {
      clientIssueId: issue.id,
      status: status as IssueStatus,
      changedOn,
      note,
      referredTo,
    });
    if (!r.ok) {
      setErrors(r.error.fieldErrors);
      setSummary(r.error.message);
      return;
    }
    onDone();
  }

  return (
    <form className="inline-form" onSubmit={submit} noValidate aria-label={`Change status of ${issue.issueName}`}>
      <ErrorSummary message={summary} />
      <div className="row">
        <Field label="New status" error={errorFor(errors, 'status')}>
          {(p) => (
            <select {...p} value={status} onChange={(e) => setStatus(e.target.value as IssueStatus)} autoFocus>
              <option value="">Choose…</option>
              {ISSUE_STATUS_VALUES.filter((s) => s !== issue.status && s !== 'identified').map((s) => (
                <option key={s} value={s}>
                  {ISSUE_STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Date of change" error={errorFor(errors, 'changedOn')}>
          {(p) => <input {...p} type="date" value={changedOn} onChange={(e) => setChangedOn(e.target.value)} />}
        </Field>
      </div>
      {status === 'referred' ? (
        <Field label="Referred to" error={errorFor(errors, 'referredTo')}>
          {(p) => <input {...p} value={referredTo} onChange={(e) => setReferredTo(e.target.value)} />}
        </Field>
      ) : null}
      <Field label="Note (optional)" error={errorFor(errors, 'note')}>
        {(p) => <input {...p} value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
      <div className="actions">
        <button type="submit" className="primary">
          Save status
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

interface TimelineEntry {
  date: string;
  key: string;
  text: string;
  detail?: string;
}

function timeline(detail: Detail): TimelineEntry[] {
  const names = new Map(detail.issues.map((i) => [i.id, i.issueName]));
  const entries: TimelineEntry[] = [];
  for (const c of detail.contacts) {
    const issueNames = c.issueIds.map((id) => names.get(id)).filter(Boolean);
    entries.push({
      date: c.contactDate,
      key: `c${c.id}`,
      text: `${CONTACT_KIND_LABELS[c.kind]} with ${c.staffName}`,
      detail: [c.note, issueNames.length ? `Issues recorded: ${issueNames.join(', ')}` : ''].filter(Boolean).join(' — '),
    });
  }
  for (const issue of detail.issues) {
    for (const e of issue.events) {
      if (e.status === 'identified') continue;
      entries.push({
        date: e.changedOn,
        key: `e${e.id}`,
        text: `${issue.issueName}: ${ISSUE_STATUS_LABELS[e.status]}`,
        ...(e.note ? { detail: e.note } : {}),
      });
    }
  }
  return entries.sort((a, b) => (a.date === b.date ? b.key.localeCompare(a.key) : b.date.localeCompare(a.date)));
}

/** Admin only: subject access request and right to erasure (the main process checks the role too). */
function DataRights({ id, name, erased, onErased }: { id: number; name: string; erased: boolean; onErased: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const [result, setResult] = useState<string | null>(null);

  async function subjectAccess() {
    const r = await call('protect.subjectAccess', { clientId: id });
    if (!r.ok) return setResult(r.error.message);
    downloadText(`subject-access-client-${id}.json`, JSON.stringify(r.value.report, null, 2), 'application/json');
    setResult('The subject access export has been downloaded. For a paper copy, open the printable page.');
  }

  async function erase(e: FormEvent) {
    e.preventDefault();
    const r = await call('protect.eraseClient', { clientId: id });
    if (!r.ok) return setResult(r.error.message);
    setConfirming(false);
    setResult(`Erased: ${r.value.removed.join(', ')}. Kept (anonymous): ${r.value.kept.join(', ')}.`);
    onErased();
  }

  return (
    <div className="data-rights">
      <h2>Data rights</h2>
      {result ? (
        <p role="status" className="success">
          {result}
        </p>
      ) : null}
      <div className="actions">
        <a className="button" href={`#/clients/${id}/subject-access`}>
          Subject access request (printable page)
        </a>
        <button type="button" onClick={() => void subjectAccess()}>
          Subject access request (download JSON)
        </button>
        {erased ? null : (
          <button type="button" className="danger" onClick={() => setConfirming(true)} aria-expanded={confirming}>
            Erase this client…
          </button>
        )}
      </div>
      {confirming ? (
        <form className="inline-form" onSubmit={erase} noValidate>
          <p>
            Erasing removes {name}’s name, date of birth, contact details, IDs, notes and full postcode for good. Only anonymous facts already counted in
            reports stay. This cannot be undone.
          </p>
          <Field label={`Type ERASE to confirm`}>{(p) => <input {...p} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />}</Field>
          <div className="actions">
            <button type="submit" className="danger" disabled={typed !== 'ERASE'}>
              Erase for good
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}

export function ClientPage({ id }: { id: number }) {
  const taxonomy = useTaxonomy();
  const { session } = useSession();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [changing, setChanging] = useState<number | null>(null);

  const load = useCallback(() => {
    void call('clients.get', { id }).then((r) => (r.ok ? setDetail(r.value) : setError(r.error.message)));
  }, [id]);
  useEffect(load, [load]);

  if (error) {
    return (
      <section>
        <h1 tabIndex={-1}>Client not found</h1>
        <p role="alert">{error}</p>
      </section>
    );
  }
  if (!detail) return <p aria-live="polite">Loading…</p>;
  const { client, issues } = detail;
  // Erasure leaves exactly these placeholders and no date of birth (src-main/db/protect/erase.ts).
  const erased = client.firstName === ERASED_FIRST_NAME && client.lastName === ERASED_LAST_NAME && client.dateOfBirth === '';
  const categoryName = new Map(taxonomy.categories.map((c) => [c.code, c.name]));

  return (
    <section>
      <div className="page-title">
        <h1 tabIndex={-1}>
          {client.firstName} {client.lastName}
        </h1>
        <div className="actions">
          {erased ? null : (
            <>
              <a className="button primary" href={`#/clients/${id}/contact`}>
                Record a contact
              </a>
              <a className="button" href={`#/clients/${id}/edit`}>
                Edit details
              </a>
            </>
          )}
        </div>
      </div>
      {erased ? (
        <p className="erased-notice" role="note">
          This client’s identifying details were erased for good. Only the anonymous facts already counted in reports remain: postcode sector, deprivation
          decile, contact dates and issues with their statuses.
        </p>
      ) : null}
      <dl className="details">
        <dt>Date of birth</dt>
        <dd>{client.dateOfBirth || (erased ? 'Erased' : 'Not recorded')}</dd>
        <dt>Postcode</dt>
        <dd>{client.postcode ?? (erased ? 'Erased' : 'Not recorded')}</dd>
        <dt>Postcode sector</dt>
        <dd>{client.geography.postcodeSector ?? 'Unknown'}</dd>
        {client.geography.localAuthorityCode ? (
          <>
            <dt>Local authority</dt>
            <dd>
              {client.geography.localAuthorityName ?? client.geography.localAuthorityCode} ({client.geography.localAuthorityCode})
            </dd>
          </>
        ) : null}
        <dt>Neighbourhood deprivation</dt>
        <dd>
          <DeprivationBadge geography={client.geography} />
        </dd>
        {client.externalId ? (
          <>
            <dt>{client.externalIdType === 'nhs' ? 'NHS number' : 'External ID'}</dt>
            <dd>{client.externalId}</dd>
          </>
        ) : null}
        <dt>Preferred contact</dt>
        <dd>
          {PREFERRED_CONTACT_LABELS[client.preferredContact]}
          {client.phone ? ` · ${client.phone}` : ''}
          {client.email ? ` · ${client.email}` : ''}
        </dd>
        <dt>Consent to record</dt>
        <dd>
          {client.consentToRecord ? 'Given' : 'Refused'} on {client.consentDate}
        </dd>
      </dl>

      <h2>Issues</h2>
      {issues.length === 0 ? (
        <p>No issues recorded yet.</p>
      ) : (
        <table className="data-table issues-table">
          <thead>
            <tr>
              <th scope="col">Issue</th>
              <th scope="col">Category</th>
              <th scope="col">Within our remit</th>
              <th scope="col">Status</th>
              <th scope="col">Since</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {issues.map((issue) => (
              <Fragment key={issue.id}>
                <tr data-issue-code={issue.issueCode}>
                  <td>{issue.issueName}</td>
                  <td>{categoryName.get(issue.category) ?? issue.category}</td>
                  <td>{issue.withinRemit ? 'Yes' : `No — referred to ${issue.referredTo ?? '—'}`}</td>
                  <td>
                    <span className={`status status-${issue.status}`}>{ISSUE_STATUS_LABELS[issue.status]}</span>
                  </td>
                  <td>{issue.statusChangedOn}</td>
                  <td>
                    <button type="button" onClick={() => setChanging(changing === issue.id ? null : issue.id)} aria-expanded={changing === issue.id}>
                      Change status<span className="visually-hidden"> of {issue.issueName}</span>
                    </button>
                  </td>
                </tr>
                {changing === issue.id ? (
                  <tr>
                    <td colSpan={6}>
                      <StatusChangeForm
                        issue={issue}
                        onCancel={() => setChanging(null)}
                        onDone={() => {
                          setChanging(null);
                          load();
                        }}
                      />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}

      {session.role === 'admin' ? <DataRights id={id} name={`${client.firstName} ${client.lastName}`} erased={erased} onErased={load} /> : null}

      <h2>Timeline</h2>
      <ol className="timeline">
        {timeline(detail).map((entry) => (
          <li key={entry.key}>
            <time dateTime={entry.date}>{entry.date}</time> <strong>{entry.text}</strong>
            {entry.detail ? <div className="timeline-detail">{entry.detail}</div> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
