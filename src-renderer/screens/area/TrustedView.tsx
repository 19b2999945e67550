/**
 * Trusted organisations: the signing keys whose bundles are accepted. A key is added from the
 * fingerprint the organisation reads out (Settings → Export shows it) or from its public key file,
 * whose fingerprint is shown so it can be checked with the organisation before trusting it.
 * Revoking is final: later bundles signed with the key are refused.
 */
import { useState, type FormEvent } from 'react';
import { displayText } from '../../../src-main/core/display-text.ts';
import { call } from '../../api.ts';
import { shown } from '../../use-call.ts';
import { ErrorSummary, Field, errorFor, type FieldErrors } from '../../components/Field.tsx';
import { AreaError, pemFingerprint, useAreaCall, whenLabel } from './common.tsx';

type Mode = 'fingerprint' | 'file';

export function TrustedView({ onChanged }: { onChanged: () => void }) {
  const [listState, reload] = useAreaCall('area.trusted', {});
  const keys = shown(listState);

  const [mode, setMode] = useState<Mode>('fingerprint');
  const [name, setName] = useState('');
  const [organisationId, setOrganisationId] = useState('');
  const [fingerprint, setFingerprint] = useState('');
  const [keyFile, setKeyFile] = useState<{ name: string; pem: string; fingerprint: string | null } | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [revokeReason, setRevokeReason] = useState('');
  const [revokeError, setRevokeError] = useState<string | null>(null);

  async function chooseKeyFile(file: File | undefined) {
    setSaved(null);
    setFormError(null);
    if (!file) return setKeyFile(null);
    const pem = await file.text();
    setKeyFile({ name: file.name, pem, fingerprint: await pemFingerprint(pem) });
  }

  async function trust(event: FormEvent) {
    event.preventDefault();
    setSaved(null);
    setFormError(null);
    setErrors({});
    if (mode === 'file' && !keyFile) {
      setErrors({ publicKeyPem: ['Choose the organisation’s public key file (signer.pub.pem).'] });
      return;
    }
    const result = await call('area.trust', {
      ...(name.trim() ? { name } : {}),
      ...(organisationId.trim() ? { organisationId } : {}),
      ...(mode === 'file' && keyFile ? { publicKeyPem: keyFile.pem } : {}),
      ...(fingerprint.trim() ? { fingerprint } : {}),
    });
    if (!result.ok) {
      setErrors(result.error.fieldErrors);
      setFormError(result.error.message);
      return;
    }
    const { key, alreadyTrusted } = result.value;
    setSaved(
      alreadyTrusted
        ? `${displayText(key.name)} was already trusted (${key.groupedFingerprint}).`
        : `Trusted ${displayText(key.name)}: bundles signed with ${key.groupedFingerprint} will be accepted` +
            (key.organisationId ? ` for ${displayText(key.organisationId)} only.` : ', for the organisation its first bundle names.'),
    );
    setName('');
    setOrganisationId('');
    setFingerprint('');
    setKeyFile(null);
    reload();
    onChanged();
  }

  async function revoke(fingerprintToRevoke: string) {
    setRevokeError(null);
    const result = await call('area.revoke', { fingerprint: fingerprintToRevoke, ...(revokeReason.trim() ? { reason: revokeReason } : {}) });
    if (!result.ok) return setRevokeError(result.error.message);
    setSaved(`Revoked ${displayText(result.value.name)}: bundles signed with ${result.value.groupedFingerprint} are refused from now on.`);
    setRevoking(null);
    setRevokeReason('');
    reload();
    onChanged();
  }

  return (
    <>
      <form className="area-form" onSubmit={trust} noValidate aria-labelledby="trust-title">
        <h2 id="trust-title">Trust an organisation</h2>
        <p className="hint">
          Ask the organisation for its signing key’s fingerprint (NeedMap shows it when they export a bundle) by phone or in person, or for its public key file
          — then check the fingerprint with them before trusting it.
        </p>
        <ErrorSummary message={formError} />
        <fieldset className="radio-group">
          <legend>How are you adding the key?</legend>
          <label className="radio">
            <input type="radio" name="trust-mode" checked={mode === 'fingerprint'} onChange={() => setMode('fingerprint')} />
            By the fingerprint the organisation read out
          </label>
          <label className="radio">
            <input type="radio" name="trust-mode" checked={mode === 'file'} onChange={() => setMode('file')} />
            From its public key file
          </label>
        </fieldset>
        <div className="row">
          <Field label="Organisation name" hint="As you want to see it in the list (optional)." error={errorFor(errors, 'name')}>
            {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />}
          </Field>
          <Field
            label="Organisation id"
            hint="The id its bundles carry, e.g. its charity number: the key then speaks for that organisation only. For a new key of an organisation you trust, give the same id."
            error={errorFor(errors, 'organisationId')}
          >
            {(p) => (
              <input {...p} value={organisationId} onChange={(e) => setOrganisationId(e.target.value)} maxLength={64} autoComplete="off" spellCheck={false} />
            )}
          </Field>
        </div>
        {mode === 'file' ? (
          <Field label="Public key file" hint="Usually named signer.pub.pem." error={errorFor(errors, 'publicKeyPem')}>
            {(p) => <input {...p} type="file" accept=".pem,.pub,text/plain" onChange={(e) => void chooseKeyFile(e.target.files?.[0])} />}
          </Field>
        ) : null}
        {mode === 'file' && keyFile ? (
          <div className="key-preview" data-testid="key-preview">
            <p>
              The fingerprint of <strong>{keyFile.name}</strong> is:
            </p>
            {keyFile.fingerprint ? (
              <p className="fingerprint mono">{keyFile.fingerprint}</p>
            ) : (
              <p className="hint">This does not look like a PEM public key; NeedMap will check it when you trust it.</p>
            )}
            <p className="hint">Read it to the organisation and make sure it is the one their app shows before you trust it.</p>
          </div>
        ) : null}
        <Field
          label={mode === 'file' ? 'Fingerprint they read out (optional: checked against the file)' : 'Fingerprint'}
          hint="64 letters and digits; spaces and colons are fine."
          error={errorFor(errors, 'fingerprint')}
        >
          {(p) => (
            <input
              {...p}
              className="mono fingerprint-input"
              value={fingerprint}
              onChange={(e) => setFingerprint(e.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        <div className="actions">
          <button type="submit" className="primary">
            Trust this key
          </button>
        </div>
        {saved ? (
          <p className="success" role="status">
            {saved}
          </p>
        ) : null}
      </form>

      <h2 id="trusted-title">Trusted keys</h2>
      <AreaError message={listState.status === 'error' ? listState.error.message : null} />
      <AreaError message={revokeError} />
      {keys && keys.length === 0 ? <p>No organisation is trusted yet: every bundle will be refused until you add its key.</p> : null}
      {keys && keys.length > 0 ? (
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="trusted-title">
          <table className="data-table figures-table trusted-table">
            <caption>Trusted organisations and their signing keys</caption>
            <thead>
              <tr>
                <th scope="col">Organisation</th>
                <th scope="col">Fingerprint</th>
                <th scope="col">Added</th>
                <th scope="col">Revoked</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id} className={k.revokedAt ? 'revoked-row' : undefined}>
                  <th scope="row">
                    {displayText(k.name)}
                    {k.organisationId ? <span className="hint"> ({displayText(k.organisationId)})</span> : null}
                  </th>
                  <td className="mono fingerprint-cell">{k.groupedFingerprint}</td>
                  <td>{whenLabel(k.addedAt)}</td>
                  <td>{k.revokedAt ? `${whenLabel(k.revokedAt)}${k.revokedReason ? `: ${displayText(k.revokedReason)}` : ''}` : 'No'}</td>
                  <td>
                    {k.revokedAt ? null : revoking === k.fingerprint ? (
                      <div className="revoke-confirm">
                        <label>
                          Reason (optional)
                          <input value={revokeReason} onChange={(e) => setRevokeReason(e.target.value)} maxLength={500} />
                        </label>
                        <button type="button" className="danger" onClick={() => void revoke(k.fingerprint)}>
                          Revoke {displayText(k.name)}’s key
                        </button>
                        <button type="button" onClick={() => setRevoking(null)}>
                          Cancel
                        </button>
                      </div>
                    ) : (
                      <button type="button" onClick={() => setRevoking(k.fingerprint)}>
                        Revoke<span className="visually-hidden"> {k.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p className="hint">Revoking is final: bundles signed with that key are refused from then on, and it cannot be trusted again.</p>
    </>
  );
}
