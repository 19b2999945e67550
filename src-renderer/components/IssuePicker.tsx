/**
 * Keyboard-first issue picker (ARIA combobox): type to search names, codes and synonyms,
 * arrow keys to move, the highlighted issue's definition is shown before choosing, Enter adds.
 */
import { useId, useMemo, useState } from 'react';
import { searchIssues, type Taxonomy, type TaxonomyIssue } from '../../src-main/core/taxonomy.ts';

export function IssuePicker({
  taxonomy,
  exclude,
  onChoose,
  error,
}: {
  taxonomy: Taxonomy;
  exclude: Set<string>;
  onChoose: (issue: TaxonomyIssue) => void;
  error?: string | undefined;
}) {
  const id = useId();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const results = useMemo(() => searchIssues(taxonomy, query, 12).filter((i) => !exclude.has(i.code)), [taxonomy, query, exclude]);
  const current = results[Math.min(active, results.length - 1)];
  const categoryName = new Map(taxonomy.categories.map((c) => [c.code, c.name]));

  function choose(issue: TaxonomyIssue) {
    onChoose(issue);
    setQuery('');
    setActive(0);
  }

  return (
    <div className={error ? 'issue-picker field field-error' : 'issue-picker field'}>
      <label htmlFor={`${id}-input`}>Add an issue</label>
      <div className="hint" id={`${id}-hint`}>
        Type a few letters of the issue or a word the client used (e.g. “damp”, “arrears”, “lonely”). Use the arrow keys and press Enter to add.
      </div>
      {error ? (
        <div className="error-message" role="alert">
          {error}
        </div>
      ) : null}
      <input
        id={`${id}-input`}
        role="combobox"
        aria-expanded={results.length > 0}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-describedby={`${id}-hint`}
        aria-activedescendant={current ? `${id}-opt-${current.code}` : undefined}
        value={query}
        autoComplete="off"
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => Math.min(a + 1, results.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            if (current) choose(current);
          } else if (e.key === 'Escape') {
            setQuery('');
          }
        }}
      />
      {query && results.length === 0 ? <p className="hint">No issue matches “{query}”.</p> : null}
      {results.length > 0 ? (
        <div className="picker-panel">
          <ul id={`${id}-list`} role="listbox" aria-label="Matching issues">
            {results.map((issue) => (
              <li
                key={issue.code}
                id={`${id}-opt-${issue.code}`}
                role="option"
                aria-selected={issue === current}
                className={issue === current ? 'active' : undefined}
                onMouseDown={(e) => {
                  e.preventDefault();
                  choose(issue);
                }}
              >
                <span className="issue-name">{issue.name}</span> <span className="issue-category">{categoryName.get(issue.category)}</span>
              </li>
            ))}
          </ul>
          {current ? (
            <div className="definition" aria-live="polite">
              <h3>{current.name}</h3>
              <p>{current.definition}</p>
              <p className="code">
                {current.code}
                {current.frameworks.length ? ` · ${current.frameworks.join(', ')}` : ''}
              </p>
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
