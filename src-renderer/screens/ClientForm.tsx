import { useEffect, useState, type FormEvent } from 'react';
import { PREFERRED_CONTACT_LABELS, todayIso, type PreferredContact } from '../../src-main/core/recording.ts';
import type { CallInput, DuplicateMatch } from '../../src-main/ipc/contract.ts';
import { call } from '../api.ts';
import { ErrorSummary, Field, errorFor, type FieldErrors } from '../components/Field.tsx';
import { PostcodeFeedback } from '../components/PostcodeFeedback.tsx';
import { navigate } from '../router.ts';

interface FormState {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  postcode: string;
  externalIdType: '' | 'nhs' | 'other';
  externalId: string;
  phone: string;
  email: string;
  preferredContact: PreferredContact;
  consentToRecord: '' | 'yes' | 'no';
  consentDate: string;
}

const EMPTY: FormState = {
  firstName: '',
  lastName: '',
  dateOfBirth: '',
  postcode: '',
  externalIdType: '',
  externalId: '',
  phone: '',
  email: '',
  preferredContact: 'none',
  consentToRecord: '',
  consentDate: todayIso(),
};

function toInput(form: FormState): CallInput<'clients.create'>['client'] {
  return {
    firstName: form.firstName,
    lastName: form.lastName,
    dateOfBirth: form.dateOfBirth,
    postcode: form.postcode,
    externalIdType: form.externalIdType || null,
    externalId: form.externalId,
    phone: form.phone,
    email: form.email,
    preferredContact: form.preferredContact,
    // Unanswered is sent as-is so the contract's own message asks for an answer.
    consentToRecord: form.consentToRecord === '' ? (undefined as unknown as boolean) : form.consentToRecord === 'yes',
    consentDate: form.consentDate,
  };
}

export function ClientForm({ id }: { id?: number }) {
  const editing = id !== undefined;
  const [form, setForm] = useState<FormState>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [summary, setSummary] = useState<string | null>(null);
  const [duplicates, setDuplicates] = useState<DuplicateMatch[] | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!editing) return;
    void call('clients.get', { id }).then((r) => {
      if (!r.ok) return setSummary(r.error.message);
      const c = r.value.client;
      setForm({
        firstName: c.firstName,
        lastName: c.lastName,
        dateOfBirth: c.dateOfBirth,
        postcode: c.postcode ?? '',
        externalIdType: c.externalIdType ?? '',
        externalId: c.externalId ?? '',
        phone: c.phone ?? '',
        email: c.email ?? '',
        preferredContact: c.preferredContact,
        consentToRecord: c.consentToRecord ? 'yes' : 'no',
        consentDate: c.consentDate,
      });
    });
  }, [editing, id]);

  const set =
    <K extends keyof FormState>(key: K) =>
    (value: FormState[K]) => {
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
        const r = await call('clients.update', { id, client: toInput(form) });
        if (!r.ok) return showErrors(r.error.message, r.error.fieldErrors);
        navigate(`/clients/${id}`);
        return;
      }
      const r = await call('clients.create', { client: toInput(form), confirmedNotDuplicate });
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
                <select {...p} value={form.externalIdType} onChange={(e) => set('externalIdType')(e.target.value as FormState['externalIdType'])}>
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
            {(['yes', 'no'] as const).map((v) => (
              <label key={v} className="radio">
                <input type="radio" name="consent" value={v} checked={form.consentToRecord === v} onChange={() => set('consentToRecord')(v)} />
                {v === 'yes' ? 'Yes' : 'No'}
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
