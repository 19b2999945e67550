/**
 * Who is using NeedMap on this shared PC: the first-run wizard (creates the organisation's admin),
 * the login screen, and auto-lock after inactivity. The main process enforces all of it (see
 * src-main/ipc/permissions.ts); this only shows the right screen.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { CallError, CallOutput } from '../src-main/ipc/contract.ts';
import { call, onLoginRequired } from './api.ts';
import { ErrorSummary, Field, errorFor, type FieldErrors } from './components/Field.tsx';
import { formatWait } from '../src-main/core/protect/login-throttle.ts';
import { ConnectForm, OfficeWaiting } from './screens/OfficeConnect.tsx';

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

/** The first-run screen: a new organisation (this PC keeps the database), or, for a PC joining an office, connecting to its server. */
function FirstRun({ onDone, onConnected }: { onDone: (status: Status) => void; onConnected: () => void }) {
  const [canConnect, setCanConnect] = useState(false);
  const [connecting, setConnecting] = useState(false);
  useEffect(() => {
    void call('office.connection', {}).then((r) => r.ok && setCanConnect(r.value.canConnect));
  }, []);
  if (connecting) return <ConnectForm onConnected={onConnected} onCancel={() => setConnecting(false)} />;
  return (
    <>
      <SetupWizard onDone={onDone} />
      {canConnect ? (
        <section className="auth-panel office-choice">
          <h2>Joining an office that already uses NeedMap?</h2>
          <p>If another PC in your office keeps the NeedMap database and shares it, connect this PC to it instead of setting up a new organisation.</p>
          <button type="button" onClick={() => setConnecting(true)}>
            Connect to our office server
          </button>
        </section>
      ) : null}
    </>
  );
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

/**
 * `lockedAfterMinutes`: set when the screen was locked by inactivity (a locked database cannot tell its own setting).
 * `notice`: why logging in again is needed, when it is not that (the office server restarted).
 */
function LoginScreen({
  status,
  onDone,
  lockedAfterMinutes,
  notice,
}: {
  status: Status;
  onDone: (status: Status) => void;
  lockedAfterMinutes: number | null;
  notice?: string | undefined;
}) {
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
      {notice ? (
        <p role="status" className="notice">
          {notice}
        </p>
      ) : null}
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
  /** A client PC of an office server that is not let in yet, or cannot reach it (shown until it can). */
  const [officeProblem, setOfficeProblem] = useState<CallError | null>(null);
  const shownStatus = useRef<Status | null>(null);
  shownStatus.current = status;
  /** The last session the app was shown for (kept while the page waits hidden for the same person). */
  const shownSession = useRef<Session | null>(null);
  /**
   * After the office server restarted and could not bring this login back: the page as it was
   * (a form half typed), kept hidden under the login screen until the same person logs in again;
   * anyone else gets a fresh page.
   */
  const [resume, setResume] = useState<{ username: string; notice: string } | null>(null);
  const [appKey, setAppKey] = useState(0);
  const lastActivity = useRef(Date.now());
  /** Set by "Log out": calls refused after it are the logout itself, not an auto-lock. */
  const loggedOut = useRef(false);
  /** The auto-lock minutes of the last session, for the locked screen's message. */
  const sessionLockMinutes = useRef<number | null>(null);
  if (status?.session) sessionLockMinutes.current = status.autoLockMinutes;

  const refresh = useCallback(() => {
    void call('auth.status', {}).then((r) => {
      if (r.ok) {
        setOfficeProblem(null);
        return setStatus(r.value);
      }
      const office = r.error.code === 'unavailable' || r.error.reason === 'device-pending' || r.error.reason === 'device-refused';
      // With a screen already showing (perhaps a form being typed), an unreachable server leaves it as it is: the form says so itself.
      if (office) return shownStatus.current && r.error.code === 'unavailable' ? undefined : setOfficeProblem(r.error);
      setError(r.error.message);
    });
  }, []);
  useEffect(refresh, [refresh]);

  // Any call refused for want of a session (e.g. the main process auto-locked) brings the login back.
  useEffect(
    () =>
      onLoginRequired((error) => {
        const shown = shownStatus.current?.session;
        if (error.reason === 'server-restarted' && shown) setResume((kept) => kept ?? { username: shown.username, notice: error.message });
        else if (!loggedOut.current) setLocked(true);
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
  if (officeProblem) return <Bare>{<OfficeWaiting problem={officeProblem} onRetry={refresh} />}</Bare>;
  if (!status) return <Bare>{<p aria-live="polite">Loading…</p>}</Bare>;
  const done = (next: Status) => {
    lastActivity.current = Date.now();
    loggedOut.current = false;
    setLocked(false);
    // Someone else logging in never sees the page kept for the person before.
    if (resume && next.session?.username !== resume.username) setAppKey((k) => k + 1);
    setResume(null);
    setStatus(next);
  };
  if (status.needsSetup) return <Bare>{<FirstRun onDone={done} onConnected={refresh} />}</Bare>;
  const keptSession = resume && shownSession.current;
  if (!status.session && !keptSession) {
    const lockedAfterMinutes = locked ? (sessionLockMinutes.current ?? status.autoLockMinutes) : null;
    return <Bare>{<LoginScreen status={status} onDone={done} lockedAfterMinutes={lockedAfterMinutes} />}</Bare>;
  }
  const session = status.session ?? keptSession!;
  if (status.session) shownSession.current = status.session;
  const hidden = !status.session;

  const value: AuthValue = {
    session,
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
  // The same shape whether or not the page is hidden, so React keeps it (and what was typed) while the login shows.
  return (
    <>
      {hidden ? <Bare>{<LoginScreen status={status} onDone={done} lockedAfterMinutes={null} notice={resume?.notice} />}</Bare> : null}
      <AuthContext.Provider value={value}>
        <div key={appKey} className="app-frame" style={{ display: hidden ? 'none' : 'contents' }}>
          {children}
        </div>
      </AuthContext.Provider>
    </>
  );
}
