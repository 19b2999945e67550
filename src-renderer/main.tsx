import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { onSessionEnded, startBrowserSession } from './api.ts';
import './styles.css';

/** In place of the app when this tab has no session with the browser host: how to get one. */
function NotConnected({ message }: { message: string }) {
  return (
    <>
      <header className="app-header">
        <span className="brand">NeedMap</span>
      </header>
      <main id="main">
        <section className="auth-panel">
          <h1 tabIndex={-1}>Open NeedMap from a new link</h1>
          <p role="alert">{message}</p>
        </section>
      </main>
    </>
  );
}

function Root({ initialProblem }: { initialProblem: string | null }) {
  const [problem, setProblem] = useState(initialProblem);
  useEffect(() => onSessionEnded(setProblem), []);
  return problem ? <NotConnected message={problem} /> : <App />;
}

void startBrowserSession().then((problem) =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <Root initialProblem={problem} />
    </StrictMode>,
  ),
);
