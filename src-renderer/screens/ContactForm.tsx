import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { CONTACT_KIND_LABELS, todayIso, type ContactKind } from '../../src-main/core/recording.ts';
import type { TaxonomyIssue } from '../../src-main/core/taxonomy.ts';
import { call } from '../api.ts';
import { useTaxonomy } from '../use-taxonomy.ts';
import { ErrorSummary, Field, errorFor, type FieldErrors } from '../components/Field.tsx';
import { IssuePicker } from '../components/IssuePicker.tsx';
import { navigate } from '../router.ts';

interface IssueRow {
  issue: TaxonomyIssue;
  withinRemit: boolean;
  referredTo: string;
}

const STAFF_KEY = 'contact.staffName';

export function ContactForm({ clientId }: { clientId: number }) {
  const taxonomy = useTaxonomy();
  const [clientName, setClientName] = useState('');
  const [contactDate, setContactDate] = useState(todayIso());
  const [kind, setKind] = useState<ContactKind | ''>('appointment');
  const [staffName, setStaffName] = useState(() => localStorage.getItem(STAFF_KEY) ?? '');
  const [note, setNote] = useState('');
  const [rows, setRows] = useState<IssueRow[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [summary, setSummary] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const chosen = useMemo(() => new Set(rows.map((r) => r.issue.code)), [rows]);

  useEffect(() => {
    void call('clients.get', { id: clientId }).then((r) => {
      if (r.ok) setClientName(`${r.value.client.firstName} ${r.value.client.lastName}`);
      else setSummary(r.error.message);
    });
  }, [clientId]);

  const update = (index: number, change: Partial<IssueRow>) => setRows((rs) => rs.map((r, i) => (i === index ? { ...r, ...change } : r)));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaving(true);
    const r = await call('contacts.record', {
      clientId,
      contactDate,
      kind: kind as ContactKind,
      staffName,
      note,
      issues: rows.map((row) => ({ issueCode: row.issue.code, withinRemit: row.withinRemit, referredTo: row.referredTo })),
    });
    setSaving(false);
    if (!r.ok) {
      setErrors(r.error.fieldErrors);
      setSummary(r.error.message);
      requestAnimationFrame(() => document.querySelector<HTMLElement>('.error-summary')?.focus());
      return;
    }
    localStorage.setItem(STAFF_KEY, staffName);
    navigate(`/clients/${clientId}`);
  }

  return (
    <section>
      <h1 tabIndex={-1}>Record a contact{clientName ? ` with ${clientName}` : ''}</h1>
      <ErrorSummary message={summary} />
      <form onSubmit={submit} noValidate>
        <div className="row">
          <Field label="Date of contact" error={errorFor(errors, 'contactDate')}>
            {(p) => <input {...p} type="date" value={contactDate} onChange={(e) => setContactDate(e.target.value)} />}
          </Field>
          <Field label="Kind of contact" error={errorFor(errors, 'kind')}>
            {(p) => (
              <select {...p} value={kind} onChange={(e) => setKind(e.target.value as ContactKind)}>
                {Object.entries(CONTACT_KIND_LABELS).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Staff member" error={errorFor(errors, 'staffName')}>
            {(p) => <input {...p} value={staffName} onChange={(e) => setStaffName(e.target.value)} />}
          </Field>
        </div>
        <Field label="Short note" error={errorFor(errors, 'note')} hint="No more than a line or two; avoid sensitive detail.">
          {(p) => <textarea {...p} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />}
        </Field>

        <fieldset>
          <legend>Issues the client presented with</legend>
          <p className="hint">Record every issue the person has, including those we cannot help with ourselves.</p>
          <IssuePicker
            taxonomy={taxonomy}
            exclude={chosen}
            error={errorFor(errors, 'issues')}
            onChoose={(issue) => setRows((rs) => [...rs, { issue, withinRemit: true, referredTo: '' }])}
          />
          {rows.length > 0 ? (
            <ul className="chosen-issues">
              {rows.map((row, index) => (
                <li key={row.issue.code} data-issue-code={row.issue.code}>
                  <div className="chosen-title">
                    <strong>{row.issue.name}</strong>
                    <button type="button" className="link-button" onClick={() => setRows((rs) => rs.filter((_, i) => i !== index))}>
                      Remove<span className="visually-hidden"> {row.issue.name}</span>
                    </button>
                  </div>
                  <label className="checkbox">
                    <input type="checkbox" checked={row.withinRemit} onChange={(e) => update(index, { withinRemit: e.target.checked })} />
                    Within our remit (we will work on this ourselves)
                  </label>
                  {!row.withinRemit ? (
                    <Field
                      label={`Referred to (for ${row.issue.name})`}
                      error={errorFor(errors, `issues.${index}.referredTo`, `issues.${index}.issueCode`)}
                      hint="The service the client was referred or signposted to, or “not referred”."
                    >
                      {(p) => <input {...p} value={row.referredTo} onChange={(e) => update(index, { referredTo: e.target.value })} />}
                    </Field>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : (
            <p className="hint">No issues added yet.</p>
          )}
        </fieldset>
        <div className="actions">
          <button type="submit" className="primary" disabled={saving}>
            Save contact
          </button>
          <a className="button" href={`#/clients/${clientId}`}>
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}
