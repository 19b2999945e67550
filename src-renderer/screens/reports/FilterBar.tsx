/**
 * The filters every report view shares: period, category, issue, remit and sector. Checked with
 * the contract's own schema before they are applied, so the messages match the server's; errors a
 * report call returns for the filter are shown by the same fields.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ReportFilterInput } from '../../../src-main/ipc/contract/reports.ts';
import type { CallOutput } from '../../../src-main/ipc/contract.ts';
import { UNKNOWN_SECTOR } from '../../../src-main/core/reports.ts';
import { useTaxonomy } from '../../use-taxonomy.ts';
import { Field, errorFor, type FieldErrors } from '../../components/Field.tsx';
import { setFilterErrors, setReportFilter, useFilterErrors, type ReportFilterState } from './filterStore.ts';

type Options = CallOutput<'reports.filterOptions'>;

export function FilterBar({ applied, options }: { applied: ReportFilterState; options: Options }) {
  const taxonomy = useTaxonomy();
  const [draft, setDraft] = useState(applied);
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  const serverErrors = useFilterErrors();
  useEffect(() => setDraft(applied), [applied]);

  const errors: FieldErrors = { ...serverErrors, ...localErrors };
  const issues = taxonomy.issues.filter((i) => draft.category === null || i.category === draft.category);
  const update = (patch: Partial<ReportFilterState>) => setDraft((d) => ({ ...d, ...patch }));

  function apply(e: FormEvent) {
    e.preventDefault();
    const parsed = ReportFilterInput.safeParse(draft);
    if (!parsed.success) {
      const found: FieldErrors = {};
      for (const issue of parsed.error.issues) (found[`filter.${issue.path.join('.')}`] ??= []).push(issue.message);
      setLocalErrors(found);
      return;
    }
    setLocalErrors({});
    setFilterErrors({});
    setReportFilter({ ...draft, from: parsed.data.from, to: parsed.data.to });
  }

  return (
    <form className="report-filters" onSubmit={apply} noValidate aria-label="Report filters">
      <div className="filter-grid">
        <Field label="From" error={errorFor(errors, 'filter.from')}>
          {(p) => <input {...p} type="date" value={draft.from} onChange={(e) => update({ from: e.target.value })} />}
        </Field>
        <Field label="To" error={errorFor(errors, 'filter.to')}>
          {(p) => <input {...p} type="date" value={draft.to} onChange={(e) => update({ to: e.target.value })} />}
        </Field>
        <Field label="Category" error={errorFor(errors, 'filter.category')}>
          {(p) => (
            <select
              {...p}
              value={draft.category ?? ''}
              onChange={(e) => {
                const category = e.target.value || null;
                const issue = taxonomy.issues.find((i) => i.code === draft.issueCode);
                // An issue from another category would contradict the new choice.
                update({ category, issueCode: issue && category && issue.category !== category ? null : draft.issueCode });
              }}
            >
              <option value="">All categories</option>
              {taxonomy.categories.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Issue" error={errorFor(errors, 'filter.issueCode')}>
          {(p) => (
            <select {...p} value={draft.issueCode ?? ''} onChange={(e) => update({ issueCode: e.target.value || null })}>
              <option value="">All issues{draft.category ? ' in this category' : ''}</option>
              {issues.map((i) => (
                <option key={i.code} value={i.code}>
                  {i.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Issues counted" error={errorFor(errors, 'filter.remit')}>
          {(p) => (
            <select {...p} value={draft.remit} onChange={(e) => update({ remit: e.target.value as ReportFilterState['remit'] })}>
              <option value="all">All issues</option>
              <option value="within">Only within our remit</option>
            </select>
          )}
        </Field>
        <Field label="Postcode sector" error={errorFor(errors, 'filter.sector')}>
          {(p) => (
            <select {...p} value={draft.sector ?? ''} onChange={(e) => update({ sector: e.target.value || null })}>
              <option value="">Everywhere</option>
              {options.sectors.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
              {options.hasUnknownSector ? <option value={UNKNOWN_SECTOR}>Unknown (no postcode sector)</option> : null}
            </select>
          )}
        </Field>
      </div>
      <div className="actions filter-actions">
        <button type="submit" className="primary">
          Apply filters
        </button>
        <button type="button" onClick={() => setDraft(applied)}>
          Undo changes
        </button>
      </div>
    </form>
  );
}
