/**
 * Subject access request as a printable page: everything protect.subjectAccess returns about one
 * client (details, contacts, issues with their status history, who recorded what, who viewed
 * the record), laid out to read and print. Every field is shown, so nothing held is left out.
 */
import { Fragment, useEffect, useState, type ReactNode } from 'react';
import { printOrSavePdf } from '../print.ts';
import { ISSUE_STATUS_LABELS, type IssueStatus } from '../../src-main/core/issue-status.ts';
import { call } from '../api.ts';
import { useTaxonomy } from '../use-taxonomy.ts';
import { downloadText } from '../download.ts';

type Row = Record<string, unknown>;

type Labels = Record<string, string>;

/** A field's name as the report gives it (from where each column is defined), else "dateOfBirth" → "Date of birth". */
function label(labels: Labels, key: string): string {
  const words = labels[key] ?? key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function show(value: unknown): ReactNode {
  if (value === null || value === undefined || value === '') return <span className="hint">—</span>;
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function FieldList({ row, labels, omit = [] }: { row: Row; labels: Labels; omit?: string[] }) {
  return (
    <dl className="sar-fields">
      {Object.entries(row)
        .filter(([key]) => !omit.includes(key))
        .map(([key, value]) => (
          <Fragment key={key}>
            <dt>{label(labels, key)}</dt>
            <dd>{show(value)}</dd>
          </Fragment>
        ))}
    </dl>
  );
}

/** A table whose columns are every field any row has. */
function RowTable({ rows, caption, labels, omit = [] }: { rows: Row[]; caption: string; labels: Labels; omit?: string[] }) {
  if (rows.length === 0) return <p>None.</p>;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => !omit.includes(c));
  return (
    <div className="table-scroll sar-table">
      <table className="data-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {label(labels, c)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {columns.map((c) => (
                <td key={c}>{show(r[c])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const rowsOf = (value: unknown): Row[] => (Array.isArray(value) ? value.filter(isRow) : []);

export function SubjectAccessPage({ id }: { id: number }) {
  const taxonomy = useTaxonomy();
  const [report, setReport] = useState<Row | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void call('protect.subjectAccess', { clientId: id }).then((r) => (r.ok ? setReport(r.value.report) : setError(r.error.message)));
  }, [id]);

  if (error) {
    return (
      <section>
        <h1 tabIndex={-1}>Subject access request</h1>
        <p role="alert" className="error-summary">
          {error}
        </p>
      </section>
    );
  }
  if (!report) return <p aria-live="polite">Loading…</p>;
  const client = isRow(report.client) ? report.client : {};
  const issues = rowsOf(report.issues);
  const sectionLabels = isRow(report.labels) ? report.labels : {};
  const labels = (section: string): Labels => (isRow(sectionLabels[section]) ? (sectionLabels[section] as Labels) : {});
  const held = isRow(report.personalData) ? report.personalData : {};
  const listed = (value: unknown) => (Array.isArray(value) ? value.map(String).join(', ') : '—');
  const known = ['generatedAt', 'client', 'contacts', 'issues', 'accessLog', 'personalData', 'labels'];
  const other = Object.entries(report).filter(([key]) => !known.includes(key));

  return (
    <section className="subject-access">
      <p className="print-button">
        <a href={`#/clients/${id}`}>Back to the client</a>
      </p>
      <h1 tabIndex={-1}>
        Subject access request: client {id}
        {client.firstName ? ` — ${String(client.firstName)} ${String(client.lastName ?? '')}` : ''}
      </h1>
      <p>
        Everything NeedMap holds about this person, produced{' '}
        {String(report.generatedAt ?? '')
          .replace('T', ' ')
          .slice(0, 16)}{' '}
        UTC. “Recorded by” names the staff member who entered each item.
      </p>
      <div className="actions print-button">
        <button type="button" className="primary" onClick={() => void printOrSavePdf('subject-access.pdf')}>
          Print
        </button>
        <button type="button" onClick={() => downloadText(`subject-access-client-${id}.json`, JSON.stringify(report, null, 2), 'application/json')}>
          Download as JSON
        </button>
      </div>

      <h2>Personal details</h2>
      <FieldList row={client} labels={labels('client')} />

      <h2>Contacts</h2>
      <RowTable rows={rowsOf(report.contacts)} caption="Contacts, newest first" labels={labels('contacts')} />

      <h2>Issues and their history</h2>
      {issues.length === 0 ? <p>None.</p> : null}
      {issues.map((issue, i) => (
        <div className="sar-issue" key={String(issue.id ?? i)}>
          <h3>
            {taxonomy.issues.find((t) => t.code === issue.issueCode)?.name ?? String(issue.issueCode ?? `Issue ${i + 1}`)}
            {issue.status ? ` — ${ISSUE_STATUS_LABELS[issue.status as IssueStatus] ?? String(issue.status)}` : ''}
          </h3>
          <FieldList row={issue} labels={labels('issues')} omit={['events']} />
          <RowTable rows={rowsOf(issue.events)} caption="Status history" labels={labels('events')} />
        </div>
      ))}

      <h2>Who viewed or changed this record</h2>
      <RowTable rows={rowsOf(report.accessLog)} caption="From the audit log" labels={{}} />

      <h2>Kinds of personal data held</h2>
      <dl className="sar-fields">
        <dt>Identifying</dt>
        <dd>{listed(held.identifying)}</dd>
        <dt>Special category</dt>
        <dd>{listed(held.specialCategory)}</dd>
      </dl>

      {other.map(([key, value]) => (
        <Fragment key={key}>
          <h2>{label({}, key)}</h2>
          {Array.isArray(value) ? (
            <RowTable rows={rowsOf(value)} caption={label({}, key)} labels={{}} />
          ) : isRow(value) ? (
            <FieldList row={value} labels={{}} />
          ) : (
            <p>{show(value)}</p>
          )}
        </Fragment>
      ))}
    </section>
  );
}
