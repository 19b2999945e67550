/**
 * The import's steps after the file is chosen: map the columns, match the issue phrases (and
 * choose for each group of possible duplicates), then the dry run's report. Each step edits the
 * mapping (core/import/mapping.ts) that the next preview is run with.
 */
import { useState } from 'react';
import type { ImportMappingInput } from '../../../src-main/core/import/mapping.ts';
import { DUPLICATE_CHOICES, IGNORE_COLUMN, NOT_AN_ISSUE } from '../../../src-main/core/import/mapping.ts';
import { IMPORT_TARGETS, TARGETS_BY_KEY } from '../../../src-main/core/import/targets.ts';
import type { ImportReportOut, PreviewOut } from '../../../src-main/ipc/contract/import.ts';
import { displayText } from '../../../src-main/core/display-text.ts';
import { useTaxonomy } from '../../use-taxonomy.ts';

export type Mapping = ImportMappingInput & { columns: Record<string, string>; defaults: Record<string, string>; issues: Record<string, string> };

const GROUP_LABELS: Record<string, string> = { link: 'Linking rows', client: 'Client', contact: 'Contact', issue: 'Issue', status: 'Issue status' };
const DUPLICATE_LABELS: Record<string, string> = { merge: 'Same person: one client', separate: 'Different people', skip: 'Leave these rows out' };

function TargetOptions() {
  const groups = [...new Set(IMPORT_TARGETS.map((t) => t.group))];
  return (
    <>
      <option value={IGNORE_COLUMN}>(leave this column out)</option>
      {groups.map((g) => (
        <optgroup key={g} label={GROUP_LABELS[g] ?? g}>
          {IMPORT_TARGETS.filter((t) => t.group === g).map((t) => (
            <option key={t.key} value={t.key}>
              {t.label}
            </option>
          ))}
        </optgroup>
      ))}
    </>
  );
}

export function MappingStep({ preview, mapping, onChange }: { preview: PreviewOut; mapping: Mapping; onChange: (m: Mapping) => void }) {
  const [defaultKey, setDefaultKey] = useState('client.consentToRecord');
  const [defaultValue, setDefaultValue] = useState('');
  const columns = mapping.columns;
  const used = Object.values(columns).filter((k) => k !== IGNORE_COLUMN);
  const twice = new Set(used.filter((k, i) => used.indexOf(k) !== i));
  return (
    <section aria-labelledby="mapping-title">
      <h2 id="mapping-title">2. Which column is which</h2>
      <p className="hint">Proposed from the headers (and your earlier imports). Change any that are wrong; columns left out are not imported.</p>
      <table className="data-table mapping-table">
        <thead>
          <tr>
            <th scope="col">Column in the sheet</th>
            <th scope="col">First values</th>
            <th scope="col">Import as</th>
          </tr>
        </thead>
        <tbody>
          {preview.headers.map((header, i) => (
            <tr key={header}>
              <th scope="row">{displayText(header)}</th>
              <td className="sample">
                {preview.sample
                  .map((r) => r.cells[i] ?? '')
                  .filter(Boolean)
                  .slice(0, 3)
                  .map((v) => displayText(v))
                  .join(' · ')}
              </td>
              <td>
                <label className="visually-hidden" htmlFor={`map-${i}`}>
                  Import “{header}” as
                </label>
                <select
                  id={`map-${i}`}
                  value={columns[header] ?? IGNORE_COLUMN}
                  aria-invalid={twice.has(columns[header] ?? '')}
                  onChange={(e) => onChange({ ...mapping, columns: { ...columns, [header]: e.target.value } })}
                >
                  <TargetOptions />
                </select>
                {twice.has(columns[header] ?? '') ? <div className="error-message">Two columns are mapped to this; choose one.</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <div className="field">
          <label htmlFor="date-order">Dates like 04/03/1980 are</label>
          <select
            id="date-order"
            value={mapping.dateOrder ?? 'day-first'}
            onChange={(e) => onChange({ ...mapping, dateOrder: e.target.value as 'day-first' | 'month-first' })}
          >
            <option value="day-first">day first (UK: 4 March 1980)</option>
            <option value="month-first">month first (US: April 3, 1980)</option>
          </select>
        </div>
      </div>
      <h3>Values for every row</h3>
      <p className="hint">For what the sheet does not hold — most sheets say nothing about consent, for example. A cell in the sheet wins over these.</p>
      {Object.keys(mapping.defaults).length ? (
        <ul className="defaults-list">
          {Object.entries(mapping.defaults).map(([key, value]) => (
            <li key={key}>
              {TARGETS_BY_KEY.get(key)?.label ?? key}: <strong>{displayText(value)}</strong>{' '}
              <button
                type="button"
                onClick={() => onChange({ ...mapping, defaults: Object.fromEntries(Object.entries(mapping.defaults).filter(([k]) => k !== key)) })}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="row defaults-row">
        <div className="field">
          <label htmlFor="default-target">Field</label>
          <select id="default-target" value={defaultKey} onChange={(e) => setDefaultKey(e.target.value)}>
            {IMPORT_TARGETS.filter((t) => t.group !== 'link').map((t) => (
              <option key={t.key} value={t.key}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="default-value">Value</label>
          <input id="default-value" value={defaultValue} onChange={(e) => setDefaultValue(e.target.value)} placeholder="e.g. yes, or 01/04/2024" />
        </div>
        <div className="field field-button">
          <button
            type="button"
            disabled={!defaultValue.trim()}
            onClick={() => {
              onChange({ ...mapping, defaults: { ...mapping.defaults, [defaultKey]: defaultValue.trim() } });
              setDefaultValue('');
            }}
          >
            Add value
          </button>
        </div>
      </div>
    </section>
  );
}

export function IssuesStep({ report, mapping, onChange }: { report: ImportReportOut; mapping: Mapping; onChange: (m: Mapping) => void }) {
  const taxonomy = useTaxonomy();
  const nameOf = new Map(taxonomy.issues.map((i) => [i.code, i.name]));
  const groups = mapping.duplicates?.groups ?? {};
  return (
    <section aria-labelledby="issues-title">
      <h2 id="issues-title">3. Issues and possible duplicates</h2>
      {report.phrases.length === 0 ? (
        <p>No column is mapped to issues, so only clients and contacts will be imported.</p>
      ) : (
        <>
          <p className="hint">Each different wording in the sheet, once, with the issue it was matched to. Confirm or change it, or mark it “not an issue”.</p>
          <table className="data-table phrases-table">
            <thead>
              <tr>
                <th scope="col">In the sheet</th>
                <th scope="col">Rows</th>
                <th scope="col">Match</th>
                <th scope="col">Import as</th>
              </tr>
            </thead>
            <tbody>
              {report.phrases.map((p, i) => (
                <tr key={p.phrase} data-testid="phrase-row">
                  <th scope="row">{displayText(p.phrase)}</th>
                  <td className="num">{p.rows}</td>
                  <td>{p.confidence === 'exact' ? 'exact' : p.confidence === 'suggested' ? 'suggested — check' : 'not matched'}</td>
                  <td>
                    <label className="visually-hidden" htmlFor={`phrase-${i}`}>
                      Import “{p.phrase}” as
                    </label>
                    <select
                      id={`phrase-${i}`}
                      value={p.chosen ?? ''}
                      aria-invalid={p.chosen === null}
                      onChange={(e) => onChange({ ...mapping, issues: { ...mapping.issues, [p.phrase]: e.target.value } })}
                    >
                      <option value="" disabled>
                        (choose an issue)
                      </option>
                      <option value={NOT_AN_ISSUE}>Not an issue</option>
                      {taxonomy.issues.map((issue) => (
                        <option key={issue.code} value={issue.code}>
                          {issue.name} ({issue.code})
                        </option>
                      ))}
                    </select>
                    {p.chosen && p.chosen !== NOT_AN_ISSUE && p.chosen !== p.proposed ? <div className="hint">{nameOf.get(p.chosen)}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {report.duplicates.length ? (
        <>
          <h3>Possible duplicates</h3>
          <p className="hint">Found with the same rules as when a client is entered: the same date of birth and a similar name, or the same external ID.</p>
          <ul className="duplicate-groups">
            {report.duplicates.map((g) => (
              <li key={g.id} data-testid="duplicate-group">
                <div>
                  {g.people.map((p) => (
                    <div key={p.rows.join()}>
                      {displayText(`${p.firstName} ${p.lastName}`)}, born {p.dateOfBirth} (rows {p.rows.join(', ')})
                    </div>
                  ))}
                  {g.existing.map((e) => (
                    <div key={e.id}>
                      Already recorded:{' '}
                      <a href={`#/clients/${e.id}`} target="_blank" rel="noreferrer">
                        {displayText(`${e.firstName} ${e.lastName}`)}
                      </a>
                      , born {e.dateOfBirth}
                    </div>
                  ))}
                </div>
                <label htmlFor={`dup-${g.id}`}>Choice</label>{' '}
                <select
                  id={`dup-${g.id}`}
                  value={groups[g.id] ?? g.choice}
                  onChange={(e) =>
                    onChange({
                      ...mapping,
                      duplicates: { ...mapping.duplicates, groups: { ...groups, [g.id]: e.target.value as (typeof DUPLICATE_CHOICES)[number] } },
                    })
                  }
                >
                  {DUPLICATE_CHOICES.map((c) => (
                    <option key={c} value={c}>
                      {DUPLICATE_LABELS[c]}
                    </option>
                  ))}
                </select>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

/** What would be (or was) created, and every refused row with its reason. */
export function ReportSummary({ report, imported }: { report: ImportReportOut; imported: boolean }) {
  const c = report.counts;
  return (
    <div className="import-report" data-testid="import-report">
      {report.notes.map((n) => (
        <p key={n} className="hint">
          {displayText(n)}
        </p>
      ))}
      <p className="headline">
        {report.rowsRead} rows read: <strong>{report.rowsImported}</strong> {imported ? 'imported' : 'to import'}, <strong>{report.rowsRefused}</strong>{' '}
        refused, {report.rowsSkipped} left out (duplicates).
      </p>
      <p>
        {imported ? 'Created' : 'Would create'}: {c.clientsCreated} clients, {c.contacts} contacts, {c.issues} issues, {c.statusChanges} status changes
        {c.existingClients ? `; contacts added to ${c.existingClients} existing clients` : ''}.
      </p>
      {report.refusals.length ? (
        <>
          <h3>Refused rows ({report.rowsRefused})</h3>
          <p className="hint">These rows are not imported. Correct them in the sheet (or the mapping) and import them again.</p>
          <table className="data-table refusals-table">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Column</th>
                <th scope="col">Value</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {report.refusals.slice(0, 500).map((r, i) => (
                <tr key={i} data-testid="refusal">
                  <td className="num">{r.row}</td>
                  <td>{displayText(r.column)}</td>
                  <td>{displayText(r.value)}</td>
                  <td>{displayText(r.reason)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.refusals.length > 500 ? <p className="hint">The first 500 of {report.refusals.length} problems are shown.</p> : null}
        </>
      ) : null}
      {report.ambiguousDates.length ? (
        <>
          <h3>Dates to check ({report.ambiguousDates.length})</h3>
          <p className="hint">
            Day and month could be either way round; they were read as shown. If they are wrong, change “Dates like 04/03/1980 are” in step 2.
          </p>
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Column</th>
                <th scope="col">Value</th>
                <th scope="col">Read as</th>
              </tr>
            </thead>
            <tbody>
              {report.ambiguousDates.slice(0, 200).map((a, i) => (
                <tr key={i}>
                  <td className="num">{a.row}</td>
                  <td>{displayText(a.column)}</td>
                  <td>{displayText(a.value)}</td>
                  <td>
                    {a.readAs} (not {a.otherReading})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}
