import { useEffect, useState } from 'react';
import { roleAllows, type Role } from '../src-main/core/records/staff-account.ts';
import { callOrThrow } from './api.ts';
import { AuthGate, useSession } from './auth.tsx';
import { useRoute, type Route } from './router.ts';
import { AboutScreen } from './screens/AboutScreen.tsx';
import { ClientForm } from './screens/ClientForm.tsx';
import { ClientList } from './screens/ClientList.tsx';
import { ClientPage } from './screens/ClientPage.tsx';
import { ContactForm } from './screens/ContactForm.tsx';
import { ExportScreen } from './screens/ExportScreen.tsx';
import { ImportScreen } from './screens/import/ImportScreen.tsx';
import { ProtectionScreen } from './screens/ProtectionScreen.tsx';
import { RestoreScreen } from './screens/RestoreScreen.tsx';
import { SubjectAccessPage } from './screens/SubjectAccessPage.tsx';
import { IntegrityBanner } from './components/IntegrityBanner.tsx';
import { RetentionBanner } from './components/RetentionBanner.tsx';
import { ReportsScreen } from './screens/reports/ReportsScreen.tsx';
import { AreaScreen } from './screens/area/AreaScreen.tsx';
import { SettingsScreen } from './screens/SettingsScreen.tsx';
import { TaxonomyContext, type TaxonomyData } from './use-taxonomy.ts';

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'clients':
      return <ClientList />;
    case 'new-client':
      return <ClientForm />;
    case 'edit-client':
      return <ClientForm id={route.id} />;
    case 'client':
      return <ClientPage id={route.id} />;
    case 'record-contact':
      return <ContactForm clientId={route.id} />;
    case 'subject-access':
      return <SubjectAccessPage id={route.id} />;
    case 'reports':
      return <ReportsScreen view={route.view} />;
    case 'area':
      return <AreaScreen view={route.view} />;
    case 'export':
      return <ExportScreen />;
    case 'import':
      return <ImportScreen />;
    case 'settings':
      return <SettingsScreen />;
    case 'protection':
      return <ProtectionScreen />;
    case 'restore':
      return <RestoreScreen />;
    case 'about':
      return <AboutScreen />;
    case 'not-found':
      return (
        <section>
          <h1>Page not found</h1>
          <p>
            There is no page at “{route.path}”. <a href="#/clients">Go to the client list</a>.
          </p>
        </section>
      );
  }
}

/** Each item shows only to the roles whose calls the main process would allow anyway. */
const NAV: { href: string; label: string; matches: Route['name'][]; role: Role }[] = [
  { href: '#/clients', label: 'Clients', matches: ['clients', 'client', 'edit-client', 'record-contact', 'subject-access'], role: 'caseworker' },
  { href: '#/clients/new', label: 'New client', matches: ['new-client'], role: 'caseworker' },
  { href: '#/reports', label: 'Reports', matches: ['reports'], role: 'manager' },
  { href: '#/export', label: 'Export', matches: ['export'], role: 'manager' },
  { href: '#/area', label: 'Area picture', matches: ['area'], role: 'manager' },
  { href: '#/settings', label: 'Settings', matches: ['settings'], role: 'manager' },
  { href: '#/import', label: 'Import records', matches: ['import'], role: 'admin' },
  { href: '#/protection', label: 'Data protection', matches: ['protection', 'restore'], role: 'admin' },
  { href: '#/about', label: 'About', matches: ['about'], role: 'caseworker' },
];

function Shell({ route }: { route: Route }) {
  const { session, lock, logout } = useSession();
  const [taxonomy, setTaxonomy] = useState<TaxonomyData | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    callOrThrow('taxonomy.get', {}).then(setTaxonomy, (e: Error) => setLoadError(e.message));
  }, []);

  // Move focus to the new page's heading so keyboard and screen-reader users know the page changed.
  useEffect(() => {
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [route]);

  return (
    <>
      <header className="app-header">
        <span className="brand">NeedMap</span>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((item) => roleAllows(session.role, item.role)).map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={item.matches.includes(route.name) ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="user-menu">
          <span>
            {session.username} <span className="role">({session.role})</span>
          </span>
          <button type="button" onClick={lock}>
            Lock
          </button>
          <button type="button" onClick={logout}>
            Log out
          </button>
        </div>
      </header>
      <main id="main">
        <IntegrityBanner />
        <RetentionBanner onProtectionPage={route.name === 'protection'} />
        {loadError ? (
          <div className="error-summary" role="alert">
            NeedMap could not load its issue list: {loadError}
          </div>
        ) : taxonomy ? (
          <TaxonomyContext.Provider value={taxonomy}>
            <Screen route={route} />
          </TaxonomyContext.Provider>
        ) : (
          <p aria-live="polite">Loading…</p>
        )}
      </main>
    </>
  );
}

export function App() {
  const route = useRoute();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AuthGate>
        <Shell route={route} />
      </AuthGate>
    </>
  );
}
