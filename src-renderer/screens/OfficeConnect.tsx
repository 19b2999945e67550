/**
 * A PC that uses the office server instead of its own database: the first-run choice to connect
 * (pairing code, or address and fingerprint), and the screen shown while this PC waits for an
 * admin's approval or cannot reach the server — which tries again by itself.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { CallError, CallOutput } from '../../src-main/ipc/contract.ts';
import { call } from '../api.ts';
import { ErrorSummary, Field, errorFor, type FieldErrors } from '../components/Field.tsx';

type Connection = CallOutput<'office.connection'>;

export function ConnectForm({ onConnected, onCancel }: { onConnected: () => void; onCancel: () => void }) {
  const [form, setForm] = useState({ pairingCode: '', deviceName: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [summary, setSummary] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    const r = await call('office.connect', { pairingCode: form.pairingCode, deviceName: form.deviceName });
    setBusy(false);
    if (!r.ok) {
      setErrors(r.error.fieldErrors);
      setSummary(r.error.message);
      return;
    }
    onConnected();
  }

  return (
    <section className="auth-panel">
      <h1 tabIndex={-1}>Connect to our office server</h1>
      <p>
        This PC will use the NeedMap database on your office server over the office network, and keep no records of its own. Ask your NeedMap administrator for
        the pairing code shown on the server’s Settings page.
      </p>
      <ErrorSummary message={summary} />
      <form onSubmit={submit} noValidate>
        <Field label="Pairing code" error={errorFor(errors, 'pairingCode', 'address', 'fingerprint')} hint="It starts with needmap-office://">
          {(p) => (
            <textarea
              {...p}
              rows={3}
              className="fingerprint-input mono"
              value={form.pairingCode}
              onChange={(e) => setForm({ ...form, pairingCode: e.target.value })}
            />
          )}
        </Field>
        <Field label="A name for this PC" error={errorFor(errors, 'deviceName')} hint="How it shows in the server’s list, e.g. “Reception PC”.">
          {(p) => <input {...p} value={form.deviceName} onChange={(e) => setForm({ ...form, deviceName: e.target.value })} />}
        </Field>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Connect
          </button>
          <button type="button" onClick={onCancel}>
            Back
          </button>
        </div>
      </form>
    </section>
  );
}

/** Shown instead of the login when this PC is not (yet) let in, or the server does not answer; checks again every few seconds. */
export function OfficeWaiting({ problem, onRetry }: { problem: CallError; onRetry: () => void }) {
  const [connection, setConnection] = useState<Connection | null>(null);
  useEffect(() => {
    void call('office.connection', {}).then((r) => r.ok && setConnection(r.value));
    const timer = setInterval(onRetry, 5000);
    return () => clearInterval(timer);
  }, [onRetry, problem.reason]);
  const pending = problem.reason === 'device-pending';
  const title = pending ? 'Waiting for approval' : problem.code === 'unavailable' ? 'The office server cannot be reached' : 'This PC cannot connect';
  return (
    <section className="auth-panel">
      <h1 tabIndex={-1}>{title}</h1>
      <p role="status">{problem.message}</p>
      {connection?.device ? (
        <dl className="details">
          <dt>This PC</dt>
          <dd>{connection.device.name}</dd>
          <dt>Its code</dt>
          <dd className="mono fingerprint" aria-label="This PC's code">
            {connection.device.code}
          </dd>
          {connection.server ? (
            <>
              <dt>Office server</dt>
              <dd>{connection.server.address}</dd>
              <dt>Server fingerprint</dt>
              <dd className="mono" aria-label="Office server certificate fingerprint">
                {connection.server.groupedFingerprint}
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
      {pending ? (
        <p className="hint">
          An admin approves this PC on the office server (Settings → Share with this office), checking the code above. This page moves on by itself.
        </p>
      ) : (
        <p className="hint">NeedMap tries again every few seconds.</p>
      )}
      <button type="button" onClick={onRetry}>
        Try again now
      </button>
    </section>
  );
}
