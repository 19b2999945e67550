/**
 * Who is using NeedMap on this shared PC: the first-run wizard (creates the organisation's admin),
 * the login screen, and auto-lock after inactivity. The main process enforces all of it (see
 * src-main/ipc/permissions.ts); this only shows the right screen.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { CallOutput } from '../src-main/ipc/contract.ts';
import { call, onLoginRequired } from './api.ts';
import { ErrorSummary, Field, errorFor, type FieldErrors } from './components/Field.tsx';
import { formatWait } from '../src-main/core/protect/login-throttle.ts';

type Status = CallOutput<'auth.status'>;
export type Session = NonNullable<Status['session']>;

interface AuthValue {
  session: Session;
  /** From the first-run wizard; prefills the bundle's organisation name in Settings. */
  organisationName: string | null;
  lock(): void;
  logout(): void;
  /** Reads auth.status again, e.g. after the auto-lock minutes changed, so the screen timer follows. */
  refreshStatus(): void;
}

const AuthContext = createContext<AuthValue | null>(null);

export function useSession(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('No session.');
  return value;
}

function SetupWizard({ onDone }: { onDone: (status: Status) => void }) {
  const [form, setForm] = useState({ organisationName: '', displayName: '', username: '', password: '', confirm: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [summary, setSummary] = useState<string | null>(null);
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (form.password !== form.confirm) {
      setErrors({ confirm: ['The two passwords are not the same.'] });
      setSummary('The two passwords are not the same.');
      return;
    }
    const { confirm: _confirm, ...input } = form;
    const r = await call('auth.setupAdmin', input);
    if (!r.ok) {
      setErrors(r.error.fieldErrors);
      setSummary(r.error.message);
      return;
    }
    const status = await call('auth.status', {});
    if (status.ok) onDone(status.value);
  }

  return (
    <section className="auth-panel">
      <h1 tabIndex={-1}>Welcome to NeedMap</h1>
      <p>
        First, set up your organisation and its administrator. The administrator can add staff accounts, change settings and erase records. The database on this
        computer is encrypted; every staff member’s password unlocks it.
      </p>
      <ErrorSummary message={summary} />
      <form onSubmit={submit} noValidate>
        <Field label="Organisation name" error={errorFor(errors, 'organisationName')}>
          {(p) => <input {...p} value={form.organisationName} onChange={(e) => set('organisationName')(e.target.value)} />}
        </Field>
        <Field label="Your name" error={errorFor(errors, 'displayName')}>
          {(p) => <input {...p} value={form.displayName} onChange={(e) => set('displayName')(e.target.value)} autoComplete="name" />}
        </Field>
        <Field label="Username" error={errorFor(errors, 'username')} hint="Letters, digits, dots and dashes, e.g. jo.patel">
          {(p) => <input {...p} value={form.username} onChange={(e) => set('username')(e.target.value)} autoComplete="username" />}
        </Field>
        <Field label="Password" error={errorFor(errors, 'password')} hint="At least 10 characters. A short sentence is easy to remember and hard to guess.">
          {(p) => <input {...p} type="password" value={form.password} onChange={(e) => set('password')(e.target.value)} autoComplete="new-password" />}
        </Field>
        <Field label="Password again" error={errorFor(errors, 'confirm')}>
          {(p) => <input {...p} type="password" value={form.confirm} onChange={(e) => set('confirm')(e.target.value)} autoComplete="new-password" />}
        </Field>
        <button type="submit" className="primary">
          Create administrator and start
        </button>
      </form>
    </section>
  );
}

/** `lockedAfterMinutes`: set when the screen was locked by inactivity (a locked database cannot tell its own setting). */
function LoginScreen({ status, onDone, lockedAfterMinutes }: { status: Status; onDone: (status: Status) => void; lockedAfterMinutes: number | null }) {
  const locked = lockedAfterMinutes !== null;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [summary, setSummary] = useState<string | null>(null);
  // After too many failed attempts the main process refuses logins for a while: count the time down.
  const [waitUntil, setWaitUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (waitUntil === null) return;
    const timer = setInterval(() => {
      const t = Date.now();
      setNow(t);
      if (t >= waitUntil) setWaitUntil(null);
    }, 1000);
    return () => clearInterval(timer);
  }, [waitUntil]);
  const secondsLeft = waitUntil === null ? 0 : Math.max(0, Math.ceil((waitUntil - now) / 1000));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await call('auth.login', { username, password });
    if (!r.ok) {
      setErrors(r.error.fieldErrors);
      setSummary(r.error.message);
      setPassword('');
      if (r.error.retryAfterSeconds) {
        const t = Date.now();
        setNow(t);
        setWaitUntil(t + r.error.retryAfterSeconds * 1000);
      }
      return;
    }
    const next = await call('auth.status', {});
    if (next.ok) onDone(next.value);
  }

  return (
    <section className="auth-panel">
      <h1 tabIndex={-1}>{locked ? 'NeedMap is locked' : 'Log in to NeedMap'}</h1>
      {locked ? (
        <p>
          NeedMap locked itself after {lockedAfterMinutes} minute{lockedAfterMinutes === 1 ? '' : 's'} without use, to protect the people in the records.
        </p>
      ) : null}
      {!status.encrypted && status.plainReason ? <p className="hint">{status.plainReason}</p> : null}
      <ErrorSummary message={summary} />
      <form onSubmit={submit} noValidate>
        <Field label="Username" error={errorFor(errors, 'username')}>
          {(p) => <input {...p} value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" autoFocus />}
        </Field>
        <Field label="Password" error={errorFor(errors, 'password')}>
          {(p) => <input {...p} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />}
        </Field>
        {secondsLeft > 0 ? (
          <p className="hint login-wait" id="login-wait">
            You can try again in <span className="time-left">{formatWait(secondsLeft)}</span>.
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={secondsLeft > 0} aria-describedby={secondsLeft > 0 ? 'login-wait' : undefined}>
          Log in
        </button>
      </form>
    </section>
  );
}

/** The page frame before anyone is logged in: no navigation, nothing from the records. */
function Bare({ children }: { children: ReactNode }) {
  return (
    <>
      <header className="app-header">
        <span className="brand">NeedMap</span>
      </header>
      <main id="main">{children}</main>
    </>
  );
}

/** Shows the wizard or the login screen until someone is logged in, then the app. */
export function AuthGate({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Status | null>(null);
  const [locked, setLocked] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const lastActivity = useRef(Date.now());
  /** Set by "Log out": calls refused after it are the logout itself, not an auto-lock. */
  const loggedOut = useRef(false);
  /** The auto-lock minutes of the last session, for the locked screen's message. */
  const sessionLockMinutes = useRef<number | null>(null);
  if (status?.session) sessionLockMinutes.current = status.autoLockMinutes;

  const refresh = useCallback(() => {
    void call('auth.status', {}).then((r) => (r.ok ? setStatus(r.value) : setError(r.error.message)));
  }, []);
  useEffect(refresh, [refresh]);

  // Any call refused for want of a session (e.g. the main process auto-locked) brings the login back.
  useEffect(
    () =>
      onLoginRequired(() => {
        if (!loggedOut.current) setLocked(true);
        refresh();
      }),
    [refresh],
  );

  // Auto-lock: the main process enforces it on the next call; this locks the screen on time too.
  useEffect(() => {
    if (!status?.session) return;
    const touch = () => (lastActivity.current = Date.now());
    const events = ['keydown', 'mousedown', 'pointermove', 'wheel', 'touchstart'] as const;
    events.forEach((e) => window.addEventListener(e, touch, { passive: true }));
    const timer = setInterval(() => {
      if (Date.now() - lastActivity.current > status.autoLockMinutes * 60_000) {
        void call('auth.lock', {}).finally(() => {
          setLocked(true);
          refresh();
        });
      }
    }, 15_000);
    return () => {
      events.forEach((e) => window.removeEventListener(e, touch));
      clearInterval(timer);
    };
  }, [status, refresh]);

  if (error)
    return (
      <Bare>
        {
          <div className="error-summary" role="alert">
            NeedMap could not start: {error}
          </div>
        }
      </Bare>
    );
  if (!status) return <Bare>{<p aria-live="polite">Loading…</p>}</Bare>;
  const done = (next: Status) => {
    lastActivity.current = Date.now();
    loggedOut.current = false;
    setLocked(false);
    setStatus(next);
  };
  if (status.needsSetup) return <Bare>{<SetupWizard onDone={done} />}</Bare>;
  if (!status.session) {
    const lockedAfterMinutes = locked ? (sessionLockMinutes.current ?? status.autoLockMinutes) : null;
    return <Bare>{<LoginScreen status={status} onDone={done} lockedAfterMinutes={lockedAfterMinutes} />}</Bare>;
  }

  const value: AuthValue = {
    session: status.session,
    organisationName: status.organisationName,
    refreshStatus: refresh,
    lock: () => void call('auth.lock', {}).then(() => (setLocked(true), refresh())),
    logout: () => {
      loggedOut.current = true;
      void call('auth.logout', {}).then(() => {
        // The next person on this shared PC starts at the client list, not on the previous user's page.
        window.location.hash = '#/clients';
        setLocked(false);
        refresh();
      });
    },
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
