import { useEffect, useState } from 'react';
import type { CallOutput } from '../../src-main/ipc/contract.ts';
import { call } from '../api.ts';

type SearchResult = CallOutput<'clients.search'>;
const PAGE = 50;

export function ClientList() {
  const [query, setQuery] = useState(() => sessionStorage.getItem('clients.query') ?? '');
  const [offset, setOffset] = useState(0);
  const [result, setResult] = useState<SearchResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    sessionStorage.setItem('clients.query', query);
    let current = true;
    // A short pause so typing a name does not send a search per keystroke.
    const timer = setTimeout(() => {
      void call('clients.search', { query, limit: PAGE, offset }).then((r) => {
        if (!current) return;
        if (r.ok) {
          setResult(r.value);
          setError(null);
        } else setError(r.error.message);
      });
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query, offset]);

  return (
    <section>
      <div className="page-title">
        <h1 tabIndex={-1}>Clients</h1>
        <a className="button primary" href="#/clients/new">
          New client
        </a>
      </div>
      <div className="field search-field">
        <label htmlFor="client-search">Search by name, NHS or other ID, or postcode</label>
        <input
          id="client-search"
          type="search"
          value={query}
          autoComplete="off"
          onChange={(e) => {
            setQuery(e.target.value);
            setOffset(0);
          }}
        />
      </div>
      {error ? (
        <div className="error-summary" role="alert">
          {error}
        </div>
      ) : null}
      <p aria-live="polite" className="result-count">
        {result ? `${result.total} ${result.total === 1 ? 'client' : 'clients'}${query ? ` matching “${query}”` : ''}` : 'Searching…'}
      </p>
      {result && result.items.length > 0 ? (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Date of birth</th>
              <th scope="col">Postcode</th>
              <th scope="col">Last contact</th>
              <th scope="col">Open issues</th>
            </tr>
          </thead>
          <tbody>
            {result.items.map((c) => (
              <tr key={c.id}>
                <td>
                  <a href={`#/clients/${c.id}`}>
                    {c.lastName}, {c.firstName}
                  </a>
                </td>
                <td>{c.dateOfBirth}</td>
                <td>{c.postcode ?? '—'}</td>
                <td>{c.lastContactDate ?? '—'}</td>
                <td>{c.openIssues}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {result && result.total > PAGE ? (
        <nav className="pager" aria-label="Pages of clients">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Previous
          </button>
          <span>
            {offset + 1}–{Math.min(offset + PAGE, result.total)} of {result.total}
          </span>
          <button type="button" disabled={offset + PAGE >= result.total} onClick={() => setOffset(offset + PAGE)}>
            Next
          </button>
        </nav>
      ) : null}
    </section>
  );
}
