/** Organisation, disclosure policy, signing key and the postcode / deprivation reference data. */
import { useEffect, useState, type FormEvent } from 'react';
import type { CallOutput } from '../../src-main/ipc/contract.ts';
import { call } from '../api.ts';
import { useSession } from '../auth.tsx';
import { ErrorSummary, Field, errorFor, type FieldErrors } from '../components/Field.tsx';
import { downloadText } from '../download.ts';
import { OfficeSettings } from './OfficeSettings.tsx';

type BundleSettings = CallOutput<'bundle.settings'>;
type KeyInfo = CallOutput<'bundle.keyInfo'>;
type GeoStatus = CallOutput<'geo.status'>;
type GeoSummary = CallOutput<'geo.import'>;

function OrganisationSettings() {
  const { organisationName } = useSession();
  const [settings, setSettings] = useState<BundleSettings | null>(null);
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [policy, setPolicy] = useState<BundleSettings['policy']>('cell-key');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    void call('bundle.settings', {}).then((r) => {
      if (!r.ok) return setMessage(r.error.message);
      setSettings(r.value);
      // Never overwrite what the user typed while the settings were loading.
      setId((typed) => typed || (r.value.organisation?.id ?? ''));
      // Until the bundle's organisation is saved, start from the name given in the first-run wizard.
      setName((typed) => typed || (r.value.organisation?.name ?? organisationName ?? ''));
      setPolicy(r.value.policy);
    });
  }, []);

  async function save(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const r = await call('bundle.settings', { organisation: { id, name }, policy });
    if (!r.ok) {
      setErrors(r.error.fieldErrors);
      setMessage(r.error.message);
      return;
    }
    setErrors({});
    setMessage(null);
    setSettings(r.value);
    setSaved(true);
  }

  return (
    <form onSubmit={save} noValidate aria-labelledby="org-heading">
      <h2 id="org-heading">Organisation</h2>
      <ErrorSummary message={message} />
      {saved ? (
        <div className="success" role="status">
          Saved.
        </div>
      ) : null}
      <div className="row">
        <Field label="Organisation name" error={errorFor(errors, 'organisation.name')}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Organisation id" error={errorFor(errors, 'organisation.id')} hint="For example your charity number.">
          {(p) => <input {...p} value={id} onChange={(e) => setId(e.target.value)} />}
        </Field>
      </div>
      <Field label="How small numbers are protected in exports" error={errorFor(errors, 'policy')}>
        {(p) => (
          <select {...p} value={policy} onChange={(e) => setPolicy(e.target.value as BundleSettings['policy'])}>
            <option value="cell-key">Cell-key perturbation (ONS, Census 2021) — recommended</option>
            <option value="nhs-england">NHS England rule: 1–7 suppressed, others rounded to 5</option>
          </select>
        )}
      </Field>
      {settings ? (
        <ul className="hint">
          {settings.policies.map((p) => (
            <li key={p.name}>
              {p.name}: {p.source}
            </li>
          ))}
        </ul>
      ) : null}
      <button type="submit" className="primary">
        Save organisation settings
      </button>
    </form>
  );
}

/**
 * The area linkage key (optional): shared by the contributing organisations, never by the local
 * authority; with it, bundles carry match keys so people seen by several organisations count once.
 */
function LinkageKeySetting() {
  const [status, setStatus] = useState<BundleSettings['linkageKey'] | null>(null);
  const [key, setKey] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    void call('bundle.settings', {}).then((r) => r.ok && setStatus(r.value.linkageKey));
  }, []);

  async function save(linkageKey: string | null) {
    setNotice(null);
    const r = await call('bundle.settings', { linkageKey, ...(passphrase ? { passphrase } : {}) });
    if (!r.ok) {
      setErrors(r.error.fieldErrors);
      setMessage(r.error.message);
      return;
    }
    setErrors({});
    setMessage(null);
    setKey('');
    setStatus(r.value.linkageKey);
    setNotice(linkageKey ? 'The linkage key is stored, protected like the signing key.' : 'The linkage key is removed: bundles carry no match keys.');
  }

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save(key);
      }}
      noValidate
      aria-labelledby="linkage-heading"
    >
      <h2 id="linkage-heading">Counting people once across organisations (optional)</h2>
      <p>
        If the organisations in your area have agreed a shared <em>area linkage key</em> (and a data-sharing agreement), enter it here. Bundles then include
        pseudonymised match keys so the local authority can count a person seen by several organisations once — without names or dates of birth leaving. The
        local authority must never be given this key.
      </p>
      <p role="status">{status?.set ? `A linkage key is set (key id ${status.keyId}).` : 'No linkage key is set: bundles carry no match keys.'}</p>
      {notice ? <p className="success">{notice}</p> : null}
      <ErrorSummary message={message} />
      <div className="row">
        <Field label="Area linkage key" error={errorFor(errors, 'linkageKey')}>
          {(p) => <input {...p} type="password" value={key} onChange={(e) => setKey(e.target.value)} autoComplete="off" />}
        </Field>
        <Field label="Signing key passphrase (if your key uses one)" error={errorFor(errors, 'passphrase')}>
          {(p) => <input {...p} type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="off" />}
        </Field>
      </div>
      <div className="actions">
        <button type="submit" className="primary">
          Store linkage key
        </button>
        {status?.set ? (
          <button type="button" onClick={() => void save(null)}>
            Remove linkage key
          </button>
        ) : null}
      </div>
    </form>
  );
}

function SigningKey() {
  const [info, setInfo] = useState<KeyInfo | null>(null);
  useEffect(() => {
    void call('bundle.keyInfo', {}).then((r) => r.ok && setInfo(r.value));
  }, []);
  return (
    <div>
      <h2>Signing key</h2>
      {info?.current ? (
        <>
          <p>Read this fingerprint to the local authority when they add your organisation, so they can trust your bundles:</p>
          <p className="fingerprint mono" aria-label="Signing key fingerprint">
            {info.current.groupedFingerprint}
          </p>
          <p className="hint">
            Created {info.current.createdAt.slice(0, 10)}; protected by {info.current.protection}.
            {info.previous.length ? ` ${info.previous.length} earlier key(s) kept so old bundles still verify.` : ''}
          </p>
          <button type="button" onClick={() => downloadText('signer.pub.pem', info.current!.publicKeyPem, 'application/x-pem-file')}>
            Download the public key
          </button>
        </>
      ) : (
        <p>No signing key yet: one is created the first time you export.</p>
      )}
    </div>
  );
}

function ReferenceData() {
  const [status, setStatus] = useState<GeoStatus | null>(null);
  const [files, setFiles] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [result, setResult] = useState<GeoSummary | null>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<CallOutput<'geo.importProgress'> | null>(null);

  const load = () => void call('geo.status', {}).then((r) => r.ok && setStatus(r.value));
  useEffect(load, []);

  async function importFiles(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setResult(null);
    // The import streams files of hundreds of MB: poll its progress for the bar.
    const poll = setInterval(() => {
      void call('geo.importProgress', {}).then((p) => p.ok && setProgress(p.value.running ? p.value : null));
    }, 400);
    const r = await call('geo.import', {
      files: files
        .split('\n')
        .map((f) => f.trim())
        .filter(Boolean),
    }).finally(() => {
      clearInterval(poll);
      setProgress(null);
    });
    if (!r.ok) {
      setBusy(false);
      setErrors(r.error.fieldErrors);
      setMessage(r.error.message);
      return;
    }
    // Existing clients take the new data at once.
    await call('geo.recomputeClients', {});
    setBusy(false);
    setErrors({});
    setMessage(null);
    setResult(r.value);
    load();
  }

  return (
    <div>
      <h2>Postcode and deprivation data</h2>
      {status ? (
        <dl className="details">
          <dt>Postcodes</dt>
          <dd>
            {status.postcodes.toLocaleString('en-GB')} ({status.englishPostcodes.toLocaleString('en-GB')} in England,{' '}
            {status.welshPostcodes.toLocaleString('en-GB')} in Wales, {status.terminatedPostcodes.toLocaleString('en-GB')} known to be terminated)
          </dd>
          <dt>Where they come from</dt>
          <dd>
            {status.officialPostcodes.toLocaleString('en-GB')} from official ONS lookups; {status.derivedPostcodes.toLocaleString('en-GB')} placed from each
            postcode’s centre point (about 1 in 100 near a boundary may fall in the neighbouring area). Importing the latest ONS postcode directory replaces
            them postcode by postcode.
          </dd>
          <dt>Local authorities</dt>
          <dd>
            {status.localAuthorities.toLocaleString('en-GB')} (2022){status.populationYear ? `, with residents (${status.populationYear} estimates)` : ''}
          </dd>
          <dt>Neighbourhoods</dt>
          <dd>
            {status.lsoas.IoD2019.toLocaleString('en-GB')} with IoD2019, {status.lsoas.IoD2025.toLocaleString('en-GB')} with IoD2025
          </dd>
          <dt>Data in use</dt>
          <dd>{status.updated ? 'Your updated copy' : 'As shipped with NeedMap'}</dd>
        </dl>
      ) : null}
      <form onSubmit={importFiles} noValidate>
        <h3>Update postcode and deprivation data</h3>
        <ErrorSummary message={message} />
        <Field
          label="Files to import (one path per line)"
          error={errorFor(errors, 'files', 'files.0')}
          hint="The ONS postcode directory (NSPL or ONSPD: one CSV, the per-area CSVs, or the ZIP ONS distributes) and/or an Indices of Deprivation CSV, downloaded to this computer. The current data stays in use until the import completes."
        >
          {(p) => <textarea {...p} rows={3} value={files} onChange={(e) => setFiles(e.target.value)} />}
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Importing…' : 'Update postcode and deprivation data'}
        </button>
        {busy ? (
          <div className="import-progress" aria-live="polite">
            {progress && progress.totalBytes > 0 ? (
              <>
                <progress aria-label="Importing reference data" max={progress.totalBytes} value={progress.bytesRead} />{' '}
                {Math.round((100 * progress.bytesRead) / progress.totalBytes)}% of {progress.file} · {progress.rowsRead.toLocaleString('en-GB')} rows
              </>
            ) : (
              <progress aria-label="Importing reference data" />
            )}
          </div>
        ) : null}
      </form>
      {result ? (
        <div className="success" role="status">
          Read {result.rowsRead.toLocaleString('en-GB')} rows: {result.postcodesAdded.toLocaleString('en-GB')} postcodes added,{' '}
          {result.postcodesUpdated.toLocaleString('en-GB')} updated, {result.rowsRefused.toLocaleString('en-GB')} refused. Clients recomputed.
        </div>
      ) : null}
    </div>
  );
}

/** Admin: which edition of the Indices of Deprivation deciles come from; changing it recomputes every client. */
function IodEditionSetting() {
  const [edition, setEdition] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void call('geo.settings', {}).then((r) => {
      if (!r.ok) return;
      setEdition(r.value.iodEdition);
      setSaved(r.value.iodEdition);
    });
  }, []);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (edition === null) return;
    setBusy(true);
    const r = await call('settings.iodEdition', { iodEdition: edition });
    setBusy(false);
    setMessage(r.ok ? null : r.error.message);
    if (r.ok) {
      setSaved(r.value.iodEdition);
      const { clients, changed } = r.value.recomputed;
      setNotice(
        `Saved: deciles now come from ${r.value.iodEdition}. ${changed.toLocaleString('en-GB')} of ${clients.toLocaleString('en-GB')} clients recomputed.`,
      );
    } else setNotice(null);
  }

  return (
    <form onSubmit={save} noValidate aria-labelledby="edition-heading">
      <h2 id="edition-heading">Indices of Deprivation edition</h2>
      <ErrorSummary message={message} />
      {notice ? (
        <p role="status" className="success">
          {notice}
        </p>
      ) : null}
      <Field
        label="Take deprivation deciles from"
        hint="IoD2025 uses each postcode’s 2021 neighbourhood and is the default. Choose IoD2019 only to compare with reports made before 2025. Every client’s decile is recomputed when you save, and every figure names its edition."
      >
        {(p) => (
          <select {...p} value={edition ?? 'IoD2025'} onChange={(e) => setEdition(e.target.value)}>
            <option value="IoD2025">English Indices of Deprivation 2025 (IoD2025)</option>
            <option value="IoD2019">English Indices of Deprivation 2019 (IoD2019)</option>
          </select>
        )}
      </Field>
      <button type="submit" className="primary" disabled={edition === null || edition === saved || busy}>
        {busy ? 'Recomputing clients…' : 'Save edition'}
      </button>
    </form>
  );
}

/** Admin: which neighbourhoods count as "areas of deprivation" on badges and lookups. */
function DeprivationThreshold() {
  const [threshold, setThreshold] = useState<number | null>(null);
  const [defaultThreshold, setDefaultThreshold] = useState(2);
  const [message, setMessage] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    void call('geo.settings', {}).then((r) => {
      if (!r.ok) return;
      setThreshold(r.value.deprivationThreshold);
      setDefaultThreshold(r.value.defaultThreshold);
    });
  }, []);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (threshold === null) return;
    const r = await call('settings.deprivationThreshold', { deprivationThreshold: threshold });
    setMessage(r.ok ? null : r.error.message);
    setNotice(r.ok ? 'Saved.' : null);
  }

  return (
    <form onSubmit={save} noValidate aria-labelledby="deprivation-heading">
      <h2 id="deprivation-heading">Areas of deprivation</h2>
      <ErrorSummary message={message} />
      {notice ? (
        <p role="status" className="success">
          {notice}
        </p>
      ) : null}
      <Field
        label="A client lives in an area of deprivation when their neighbourhood is in the most deprived"
        hint={`Indices of Deprivation deciles; the usual choice is the most deprived 20% (deciles 1–${defaultThreshold}).`}
      >
        {(p) => (
          <select {...p} value={threshold ?? defaultThreshold} onChange={(e) => setThreshold(Number(e.target.value))}>
            {[1, 2, 3, 4, 5].map((d) => (
              <option key={d} value={d}>
                {d * 10}% (decile{d === 1 ? ' 1' : `s 1–${d}`})
              </option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit" className="primary" disabled={threshold === null}>
        Save threshold
      </button>
    </form>
  );
}

export function SettingsScreen() {
  const { session } = useSession();
  return (
    <section>
      <h1 tabIndex={-1}>Settings</h1>
      <OrganisationSettings />
      <SigningKey />
      <LinkageKeySetting />
      {session.role === 'admin' ? <DeprivationThreshold /> : null}
      {session.role === 'admin' ? <IodEditionSetting /> : null}
      <ReferenceData />
      {session.role === 'admin' ? <OfficeSettings /> : null}
    </section>
  );
}
