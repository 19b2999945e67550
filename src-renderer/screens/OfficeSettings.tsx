/**
 * Settings → Share with this office (admin, on the PC that keeps the database): turn the office
 * server on or off on one of this PC's addresses, read out its certificate fingerprint, copy the
 * pairing code for the other PCs, and approve or revoke those PCs.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { CallOutput } from '../../src-main/ipc/contract.ts';
import { call } from '../api.ts';
import { ErrorSummary, Field, errorFor, type FieldErrors } from '../components/Field.tsx';

type ShareStatus = CallOutput<'office.status'>;
type Device = ShareStatus['devices'][number];

const DEFAULT_PORT = '47470';

function when(iso: string | null): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

function splitListen(listen: string | null): { address: string; port: string } {
  const match = listen ? /^\[?([^\]]+?)\]?:(\d+)$/.exec(listen) : null;
  return match ? { address: match[1]!, port: match[2]! } : { address: '', port: DEFAULT_PORT };
}

function DeviceTable({ devices, onDecide }: { devices: Device[]; onDecide: (device: Device, approve: boolean) => void }) {
  if (devices.length === 0) return <p>No PC has asked to connect yet.</p>;
  const label = { pending: 'Waiting for approval', approved: 'Approved', revoked: 'Revoked' } as const;
  return (
    <table className="data-table office-devices">
      <caption>PCs that asked to connect</caption>
      <thead>
        <tr>
          <th scope="col">PC</th>
          <th scope="col">Code</th>
          <th scope="col">State</th>
          <th scope="col">Last seen</th>
          <th scope="col">Action</th>
        </tr>
      </thead>
      <tbody>
        {devices.map((d) => (
          <tr key={d.id}>
            <th scope="row">{d.name}</th>
            <td className="mono">{d.code}</td>
            <td>
              {label[d.state]}
              {d.decidedBy ? <span className="hint"> (by {d.decidedBy})</span> : null}
            </td>
            <td>
              {when(d.lastSeenAt)}
              {d.lastSeenFrom ? <span className="hint"> from {d.lastSeenFrom}</span> : null}
            </td>
            <td>
              {d.state === 'approved' ? (
                <button type="button" onClick={() => onDecide(d, false)} aria-label={`Revoke ${d.name}`}>
                  Revoke
                </button>
              ) : (
                <button
                  type="button"
                  className={d.state === 'pending' ? 'primary' : undefined}
                  onClick={() => onDecide(d, true)}
                  aria-label={`Approve ${d.name}`}
                >
                  Approve
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OfficeSettings() {
  const [status, setStatus] = useState<ShareStatus | null>(null);
  const [address, setAddress] = useState('');
  const [port, setPort] = useState(DEFAULT_PORT);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function show(next: ShareStatus) {
    setStatus(next);
    setErrors({});
    setMessage(null);
  }

  useEffect(() => {
    void call('office.status', {}).then((r) => {
      if (!r.ok) return setMessage(r.error.message);
      show(r.value);
      const saved = splitListen(r.value.listen);
      setAddress(saved.address || r.value.addresses[0]?.address || '127.0.0.1');
      setPort(saved.port);
    });
    // New requests show up without reloading the page.
    const timer = setInterval(() => void call('office.status', {}).then((r) => r.ok && setStatus(r.value)), 10_000);
    return () => clearInterval(timer);
  }, []);

  async function share(sharing: boolean, e?: FormEvent) {
    e?.preventDefault();
    setBusy(true);
    const listen = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
    const r = await call('office.share', sharing ? { sharing, listen } : { sharing });
    setBusy(false);
    if (!r.ok) {
      setErrors(r.error.fieldErrors);
      setMessage(r.error.message);
      return;
    }
    show(r.value);
  }

  async function decide(device: Device, approve: boolean) {
    if (!approve && !window.confirm(`Revoke ${device.name}? Anyone logged in on it is logged out at once, and it cannot connect again.`)) return;
    const r = await call(approve ? 'office.approveDevice' : 'office.revokeDevice', { deviceId: device.id });
    if (!r.ok) return setMessage(r.error.message);
    show(r.value);
  }

  if (!status) return message ? <ErrorSummary message={message} /> : null;
  return (
    <div className="office-settings">
      <h2 id="office-heading">Share with this office</h2>
      <p>
        Other PCs in the office can use this PC’s NeedMap database over the office network, so everyone sees the same clients. The records stay on this PC
        (encrypted, backed up, audited as before); the other PCs keep none. This PC must be switched on, with NeedMap running, while they work.
      </p>
      <ErrorSummary message={message} />
      {status.sharing ? (
        <div className="office-sharing" aria-labelledby="office-heading">
          <p className="success" role="status">
            Sharing at {status.listen}.
          </p>
          <p>On each other PC, choose “Connect to our office server” and paste this pairing code (copy it by e-mail or on a USB stick):</p>
          <p className="pairing-code mono" aria-label="Pairing code">
            {status.pairingCode}
          </p>
          <p>Then check with the person at that PC that their screen shows this certificate fingerprint — read it aloud, four characters at a time:</p>
          <p className="fingerprint mono" aria-label="Office server certificate fingerprint">
            {status.groupedFingerprint}
          </p>
          <div className="actions">
            <button type="button" onClick={() => void share(false)} disabled={busy}>
              Stop sharing
            </button>
          </div>
        </div>
      ) : (
        <form onSubmit={(e) => void share(true, e)} noValidate aria-labelledby="office-heading">
          {status.problem ? (
            <p className="error-summary" role="alert">
              Sharing was turned on but could not start again: {status.problem}
            </p>
          ) : null}
          <div className="row">
            <Field label="This PC’s address on the office network" error={errorFor(errors, 'listen')}>
              {(p) => (
                <select {...p} value={address} onChange={(e) => setAddress(e.target.value)}>
                  {status.addresses.map((a) => (
                    <option key={a.address} value={a.address}>
                      {a.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Port" hint="Leave as 47470 unless your IT adviser says otherwise.">
              {(p) => <input {...p} inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value.trim())} />}
            </Field>
          </div>
          <button type="submit" className="primary" disabled={busy}>
            Share with this office
          </button>
        </form>
      )}
      <h3>Office PCs</h3>
      <p className="hint">
        Approve a PC only when the code shown here is the one on its screen. Revoking a PC logs out whoever is using it, and it cannot connect again.
      </p>
      <DeviceTable devices={status.devices} onDecide={(d, approve) => void decide(d, approve)} />
    </div>
  );
}
