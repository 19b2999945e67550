/**
 * New services: record an opening (name, date, catchment sectors, the issues it addresses, and
 * its own organisation if it sends bundles), then see what changed in its catchment against
 * comparison sectors like it (area.services.compare) — the same method and wording as events.
 */
import { useState, type FormEvent } from 'react';
import type { TaxonomyIssue } from '../../../src-main/core/taxonomy.ts';
import type { CallOutput } from '../../../src-main/ipc/contract.ts';
import { useTaxonomy } from '../../use-taxonomy.ts';
import { call } from '../../api.ts';
import { ErrorSummary, Field, errorFor, type FieldErrors } from '../../components/Field.tsx';
import { IssuePicker } from '../../components/IssuePicker.tsx';
import { CallStatus } from '../../components/CallStatus.tsx';
import { shown } from '../../use-call.ts';
import { BaselinePanel } from './BaselinePanel.tsx';
import { AreaError, parseSectorList, topLevelFieldErrors, useAreaCall } from './common.tsx';

type AreaService = CallOutput<'area.services.list'>[number];

export function ServicesView() {
  const [state, reload] = useAreaCall('area.services.list', {});
  const services = shown(state);
  return (
    <>
      <div className="explainer">
        <p>
          When a new service opens, did need change in the sectors it serves? Each service’s catchment is set against <strong>comparison sectors</strong> chosen
          because they looked like it before it opened (similar deprivation and a similar number of presentations of its issues), over the same quarters, so the
          season and changes across the whole area are allowed for. Only organisations that reported for every quarter compared are counted.
        </p>
        <p className="hint">
          A change that coincided with an opening is not proof the service caused it; and the service’s own presentations are never counted as a change in need
          (it did not report before it opened).
        </p>
      </div>
      <AddServiceForm onAdded={reload} />
      <h2 id="services-title">Services and what changed in their catchment</h2>
      <CallStatus state={state} what="the services" />
      {services && services.length === 0 ? <p>No services recorded yet.</p> : null}
      {services && services.length > 0 ? (
        <ol className="area-events" aria-labelledby="services-title">
          {services.map((s) => (
            <ServiceItem key={s.id} service={s} onDeleted={reload} />
          ))}
        </ol>
      ) : null}
    </>
  );
}

function AddServiceForm({ onAdded }: { onAdded: () => void }) {
  const taxonomy = useTaxonomy();
  const [bundlesState] = useAreaCall('area.bundles', {});
  const organisations = [...new Map((shown(bundlesState) ?? []).map((b) => [b.organisationId, b.organisationName])).entries()].sort();
  const [name, setName] = useState('');
  const [openedOn, setOpenedOn] = useState('');
  const [sectorsText, setSectorsText] = useState('');
  const [issues, setIssues] = useState<TaxonomyIssue[]>([]);
  const [organisationId, setOrganisationId] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  async function add(event: FormEvent) {
    event.preventDefault();
    setSaved(null);
    setFormError(null);
    setErrors({});
    const sectors = parseSectorList(sectorsText);
    const result = await call('area.services.add', { name, openedOn, sectors, issues: issues.map((i) => i.code), organisationId });
    if (!result.ok) {
      setErrors(topLevelFieldErrors(result.error.fieldErrors));
      setFormError(result.error.message);
      return;
    }
    setSaved(`Recorded “${result.value.name}”, opened ${result.value.openedOn}.`);
    setName('');
    setOpenedOn('');
    setSectorsText('');
    setIssues([]);
    setOrganisationId('');
    onAdded();
  }

  return (
    <form className="area-form" onSubmit={add} noValidate aria-labelledby="add-service-title">
      <h2 id="add-service-title">Record a new service</h2>
      <ErrorSummary message={formError} />
      <div className="row">
        <Field label="Service name" hint="For example “Northside debt advice hub”." error={errorFor(errors, 'name')}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />}
        </Field>
        <Field label="Opened on" error={errorFor(errors, 'openedOn')}>
          {(p) => <input {...p} type="date" value={openedOn} onChange={(e) => setOpenedOn(e.target.value)} />}
        </Field>
      </div>
      <Field label="Catchment postcode sectors" hint="Separate with commas, like “PR1 2, PR1 3”." error={errorFor(errors, 'sectors')}>
        {(p) => <input {...p} value={sectorsText} onChange={(e) => setSectorsText(e.target.value)} />}
      </Field>
      <fieldset>
        <legend>Issues it addresses</legend>
        <IssuePicker
          taxonomy={taxonomy}
          exclude={new Set(issues.map((i) => i.code))}
          error={errorFor(errors, 'issues')}
          onChoose={(issue) => setIssues((list) => [...list, issue])}
        />
        {issues.length > 0 ? (
          <ul className="chosen-issues" data-testid="service-issues">
            {issues.map((issue) => (
              <li key={issue.code}>
                <div className="chosen-title">
                  <strong>{issue.name}</strong>
                  <button type="button" className="link-button" onClick={() => setIssues((list) => list.filter((i) => i.code !== issue.code))}>
                    Remove<span className="visually-hidden"> {issue.name}</span>
                  </button>
                </div>
              </li>
            ))}
          </ul>
        ) : null}
      </fieldset>
      <Field
        label="Its own organisation (optional)"
        hint="If the service sends its own bundles, choose it to see how far it reaches its catchment."
        error={errorFor(errors, 'organisationId')}
      >
        {(p) => (
          <select {...p} value={organisationId} onChange={(e) => setOrganisationId(e.target.value)}>
            <option value="">None</option>
            {organisations.map(([id, orgName]) => (
              <option key={id} value={id}>
                {orgName} ({id})
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="actions">
        <button type="submit" className="primary">
          Record service
        </button>
      </div>
      {saved ? (
        <p className="success" role="status">
          {saved}
        </p>
      ) : null}
    </form>
  );
}

function ServiceItem({ service, onDeleted }: { service: AreaService; onDeleted: () => void }) {
  const taxonomy = useTaxonomy();
  const [quarters, setQuarters] = useState(2);
  const [state] = useAreaCall('area.services.compare', { id: service.id, quarters });
  const report = shown(state);
  const [error, setError] = useState<string | null>(null);
  const issueName = (code: string) => (code === '*' ? 'All its issues together' : (taxonomy.issues.find((i) => i.code === code)?.name ?? code));

  async function remove() {
    const result = await call('area.services.delete', { id: service.id });
    if (!result.ok) return setError(result.error.message);
    onDeleted();
  }

  return (
    <li className="area-event" data-testid="area-service">
      <div className="chart-panel-head">
        <h3>
          {service.name} <time dateTime={service.openedOn}>(opened {service.openedOn})</time>
        </h3>
        <div className="actions">
          <label className="inline-label">
            Quarters before and after
            <select value={quarters} onChange={(e) => setQuarters(Number(e.target.value))}>
              {[1, 2, 3, 4].map((q) => (
                <option key={q} value={q}>
                  {q}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="danger" onClick={() => void remove()}>
            Delete<span className="visually-hidden"> the service {service.name}</span>
          </button>
        </div>
      </div>
      <p className="hint">
        Catchment: {service.sectors.join(', ')} · Issues: {service.issues.map(issueName).join(', ')}
        {service.organisationId ? ` · Its own bundles: ${service.organisationId}` : ''}
      </p>
      <AreaError message={error} />
      <CallStatus state={state} what="the comparison" />
      {report ? (
        <>
          {report.note ? <p className="hint event-note">{report.note}</p> : null}
          {report.quartersAfter.length > 0 ? (
            <p className="hint">
              Quarters before: {report.quartersBefore.join(', ')}; after: {report.quartersAfter.join(', ')} (the quarter it opened in is left out).
            </p>
          ) : null}
          <h4>Presentations of its issues at other organisations</h4>
          <BaselinePanel
            baseline={report.presentations}
            keyName={issueName}
            what="issue"
            whatPlural="issues"
            caption={`Presentations of the issues of “${service.name}”, catchment against comparison sectors`}
          />
          <h4>People reaching it</h4>
          <p className="hint">{report.reachNote}</p>
          {report.reach ? (
            <p className="event-summary" data-testid="service-reach">
              {report.reach.verdict}
            </p>
          ) : null}
        </>
      ) : null}
    </li>
  );
}
