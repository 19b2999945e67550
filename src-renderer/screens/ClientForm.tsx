import { useEffect, useState, type FormEvent } from 'react';
import { clientRecord, type ClientFields } from '../../src-main/core/records/client.ts';
import { PREFERRED_CONTACT_LABELS, todayIso, type PreferredContact } from '../../src-main/core/recording.ts';
import type { DuplicateMatch } from '../../src-main/ipc/contract.ts';
import { call } from '../api.ts';
import { ErrorSummary, Field, errorFor, type FieldErrors } from '../components/Field.tsx';
import { PostcodeFeedback } from '../components/PostcodeFeedback.tsx';
import { blankForm, formFromRecord, inputFromForm, type FormValues } from '../record-form.ts';
import { navigate } from '../router.ts';

/** The client form's values: one per field of the client record (src-main/core/records/client.ts). */
export type ClientFormValues = FormValues<ClientFields>;

export function ClientForm({ id }: { id?: number }) {
  const editing = id !== undefined;
  const [form, setForm] = useState<ClientFormValues>(() => blankForm(clientRecord, { consentDate: todayIso() }));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [summary, setSummary] = useState<string | null>(null);
  const [duplicates, setDuplicates] = useState<DuplicateMatch[] | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!editing) return;
    void call('clients.get', { id }).then((r) => {
      if (!r.ok) return setSummary(r.error.message);
      setForm(formFromRecord(clientRecord, r.value.client));
    });
  }, [editing, id]);

  const set =
    <K extends keyof ClientFormValues>(key: K) =>
    (value: ClientFormValues[K]) => {
      setForm((f) => ({ ...f, [key]: value }));
      // A corrected field loses its old message; the others keep theirs until the next save.
      setErrors((e) => {
        const { [`client.${key}`]: _cleared, ...rest } = e;
        return rest;
      });
    };
  const err = (field: string) => errorFor(errors, `client.${field}`);

  async function save(confirmedNotDuplicate: boolean) {
    setSaving(true);
    try {
      if (editing) {
        const r = await call('clients.update', { id, client: inputFromForm(clientRecord, form) });
        if (!r.ok) return showErrors(r.error.message, r.error.fieldErrors);
        navigate(`/clients/${id}`);
        return;
      }
      const r = await call('clients.create', { client: inputFromForm(clientRecord, form), confirmedNotDuplicate });
      if (!r.ok) return showErrors(r.error.message, r.error.fieldErrors);
      if (r.value.kind === 'possible-duplicates') {
        setErrors({});
        setSummary(null);
        setDuplicates(r.value.matches);
        requestAnimationFrame(() => document.getElementById('duplicate-warning')?.focus());
        return;
      }
      navigate(`/clients/${r.value.id}`);
    } finally {
      setSaving(false);
    }
  }

  function showErrors(message: string, fieldErrors: FieldErrors) {
    setErrors(fieldErrors);
    setSummary(message);
    requestAnimationFrame(() => document.querySelector<HTMLElement>('.error-summary')?.focus());
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setDuplicates(null);
    void save(false);
  }

  return (
    <section>
      <h1 tabIndex={-1}>{editing ? 'Edit client' : 'New client'}</h1>
      <ErrorSummary message={summary} />
      {duplicates ? (
        <div className="duplicate-warning" id="duplicate-warning" role="alert" tabIndex={-1}>
          <h2>This person may already be recorded</h2>
          <p>Check these existing clients before creating a new record:</p>
          <ul>
            {duplicates.map((m) => (
              <li key={m.client.id}>
                <a href={`#/clients/${m.client.id}`}>
                  {m.client.firstName} {m.client.lastName}
                </a>{' '}
                — born {m.client.dateOfBirth}
                {m.client.postcode ? `, ${m.client.postcode}` : ''} (
                {m.reason === 'same-external-id' ? 'same NHS / external ID' : 'same date of birth, similar name'})
              </li>
            ))}
          </ul>
          <div className="actions">
            <button type="button" onClick={() => void save(true)} disabled={saving}>
              None of these — create a new client
            </button>
          </div>
        </div>
      ) : null}
      <form onSubmit={onSubmit} noValidate>
        <fieldset>
          <legend>Personal details</legend>
          <div className="row">
            <Field label="First name" error={err('firstName')}>
              {(p) => <input {...p} value={form.firstName} onChange={(e) => set('firstName')(e.target.value)} autoComplete="off" />}
            </Field>
            <Field label="Last name" error={err('lastName')}>
              {(p) => <input {...p} value={form.lastName} onChange={(e) => set('lastName')(e.target.value)} autoComplete="off" />}
            </Field>
          </div>
          <Field label="Date of birth" error={err('dateOfBirth')}>
            {(p) => <input {...p} type="date" value={form.dateOfBirth} onChange={(e) => set('dateOfBirth')(e.target.value)} />}
          </Field>
          <Field label="Postcode" error={err('postcode')} hint="Leave blank if the client has no fixed address or would rather not say.">
            {(p) => <input {...p} className="postcode-input" value={form.postcode} onChange={(e) => set('postcode')(e.target.value)} autoComplete="off" />}
          </Field>
          <PostcodeFeedback postcode={form.postcode} />
        </fieldset>
        <fieldset>
          <legend>Identifiers and contact</legend>
          <div className="row">
            <Field label="ID type" error={err('externalIdType')}>
              {(p) => (
                <select {...p} value={form.externalIdType} onChange={(e) => set('externalIdType')(e.target.value as ClientFormValues['externalIdType'])}>
                  <option value="">None</option>
                  <option value="nhs">NHS number</option>
                  <option value="other">Other ID</option>
                </select>
              )}
            </Field>
            <Field label="ID number" error={err('externalId')}>
              {(p) => <input {...p} value={form.externalId} onChange={(e) => set('externalId')(e.target.value)} autoComplete="off" />}
            </Field>
          </div>
          <div className="row">
            <Field label="Phone" error={err('phone')}>
              {(p) => <input {...p} type="tel" value={form.phone} onChange={(e) => set('phone')(e.target.value)} autoComplete="off" />}
            </Field>
            <Field label="Email" error={err('email')}>
              {(p) => <input {...p} type="email" value={form.email} onChange={(e) => set('email')(e.target.value)} autoComplete="off" />}
            </Field>
          </div>
          <Field label="Preferred way to contact" error={err('preferredContact')}>
            {(p) => (
              <select {...p} value={form.preferredContact} onChange={(e) => set('preferredContact')(e.target.value as PreferredContact)}>
                {Object.entries(PREFERRED_CONTACT_LABELS).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </fieldset>
        <fieldset>
          <legend>Consent to record</legend>
          <fieldset className={err('consentToRecord') ? 'radio-group field-error' : 'radio-group'}>
            <legend>Does the client consent to their information being recorded?</legend>
            {err('consentToRecord') ? (
              <div className="error-message" role="alert">
                {err('consentToRecord')}
              </div>
            ) : null}
            {([true, false] as const).map((v) => (
              <label key={String(v)} className="radio">
                <input type="radio" name="consent" value={v ? 'yes' : 'no'} checked={form.consentToRecord === v} onChange={() => set('consentToRecord')(v)} />
                {v ? 'Yes' : 'No'}
              </label>
            ))}
          </fieldset>
          <Field label="Date consent was given or refused" error={err('consentDate')}>
            {(p) => <input {...p} type="date" value={form.consentDate} onChange={(e) => set('consentDate')(e.target.value)} />}
          </Field>
        </fieldset>
        <div className="actions">
          <button type="submit" className="primary" disabled={saving}>
            {editing ? 'Save changes' : 'Save client'}
          </button>
          <a className="button" href={editing ? `#/clients/${id}` : '#/clients'}>
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}
