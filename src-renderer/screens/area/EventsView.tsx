/**
 * Local events and change: record dated events (they appear as markers on the dashboard's
 * trends); for each, what changed in its sectors against the same months a year earlier and
 * against comparison sectors (area.events.compare: a difference-in-differences allowing for
 * overdispersion, counting only organisations that reported throughout), with plain verdicts
 * that never claim cause; and the change scan, with its false discovery control.
 */
import { useState, type FormEvent } from 'react';
import { baselineWords, formatP } from '../../../src-main/core/area/change-words.ts';
import type { CallOutput } from '../../../src-main/ipc/contract.ts';
import { useTaxonomy } from '../../use-taxonomy.ts';
import { call } from '../../api.ts';
import { DataTable } from '../../components/charts/DataTable.tsx';
import { ErrorSummary, Field, errorFor, type FieldErrors } from '../../components/Field.tsx';
import { CallStatus } from '../../components/CallStatus.tsx';
import { shown } from '../../use-call.ts';
import { BaselinePanel, estimateText } from './BaselinePanel.tsx';
import { AreaError, parseSectorList, topLevelFieldErrors, useAreaCall } from './common.tsx';

type AreaEvent = CallOutput<'area.events.list'>[number];

export function EventsView() {
  const taxonomy = useTaxonomy();
  const [eventsState, reloadEvents] = useAreaCall('area.events.list', {});
  const events = shown(eventsState);
  const [changesWindow, setChangesWindow] = useState(3);
  const [changesState] = useAreaCall('area.changes', { window: changesWindow, limit: 20 });
  const changes = shown(changesState);
  const categoryName = (code: string) => taxonomy.categories.find((c) => c.code === code)?.name ?? code;

  return (
    <>
      <AddEventForm onAdded={reloadEvents} />
      <h2 id="events-title">Events and what changed around them</h2>
      <CallStatus state={eventsState} what="the events" />
      {events && events.length === 0 ? <p>No events recorded yet.</p> : null}
      {events && events.length > 0 ? (
        <ol className="area-events" aria-labelledby="events-title">
          {events.map((e, i) => (
            <EventItem key={e.id} event={e} number={i + 1} onDeleted={reloadEvents} />
          ))}
        </ol>
      ) : null}

      <div className="chart-panel-head changes-head">
        <h2 id="changes-title">Largest recent changes</h2>
        <label className="inline-label">
          Compare the last
          <select value={changesWindow} onChange={(e) => setChangesWindow(Number(e.target.value))}>
            {[1, 2, 3, 6].map((w) => (
              <option key={w} value={w}>
                {w} {w === 1 ? 'month' : 'months'}
              </option>
            ))}
          </select>
          with the same before
        </label>
      </div>
      <p className="hint">
        An automatic scan of every sector and issue category: presentations in the most recent months with data against the same number of months just before,
        each set against a baseline with the same season. Scanning many series at once turns up some large-looking changes by chance alone, so the false
        discovery rate is controlled across everything tested: a change is called only when its q-value is under 0.05.
      </p>
      <CallStatus state={changesState} what="the recent changes" />
      {changes ? (
        <p className="event-summary" data-testid="scan-summary">
          {changes.baseline === null
            ? changes.baselineWhy
            : `${changes.tested} sector × category ${changes.tested === 1 ? 'series' : 'series'} tested (${changes.tooLittle} more had too little data to test), ${changes.monthsAfter[0]} to ${changes.monthsAfter[changes.monthsAfter.length - 1]} against ${changes.monthsBefore[0]} to ${changes.monthsBefore[changes.monthsBefore.length - 1]}, each against ${changes.baselineWhy}. ${
                changes.discoveries === 0
                  ? 'None changed by more than chance variation would usually give.'
                  : `${changes.discoveries} changed by more than chance variation would usually give (false discovery rate 5%).`
              }`}
        </p>
      ) : null}
      {changes && changes.changes.length > 0 ? (
        <DataTable
          sortable
          table={{
            caption: `Largest changes: the last ${changesWindow} ${changesWindow === 1 ? 'month' : 'months'} against the ${changesWindow} before, ${changes.baseline ? `against ${baselineWords(changes.baseline)}` : ''}`,
            columns: [
              { label: 'Sector' },
              { label: 'Category' },
              { label: 'Before', numeric: true },
              { label: 'After', numeric: true },
              { label: 'Baseline before', numeric: true },
              { label: 'Baseline after', numeric: true },
              { label: 'Ratio of changes (95% interval)' },
              { label: 'p', numeric: true, format: (v) => (typeof v === 'number' ? formatP(v) : '—') },
              { label: 'q', numeric: true, format: (v) => (typeof v === 'number' ? formatP(v) : '—') },
              { label: 'Reading' },
            ],
            rows: changes.changes.map((c) => [
              c.sector,
              categoryName(c.category),
              c.studyBefore,
              c.studyAfter,
              c.baselineBefore,
              c.baselineAfter,
              estimateText(c),
              c.pValue,
              c.qValue,
              c.reading,
            ]),
          }}
        />
      ) : null}
    </>
  );
}

function AddEventForm({ onAdded }: { onAdded: () => void }) {
  const [title, setTitle] = useState('');
  const [date, setDate] = useState('');
  const [sectorsText, setSectorsText] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  async function add(event: FormEvent) {
    event.preventDefault();
    setSaved(null);
    setFormError(null);
    setErrors({});
    const sectors = parseSectorList(sectorsText);
    const result = await call('area.events.add', { title, date, sectors: sectors.length ? sectors : null });
    if (!result.ok) {
      setErrors(topLevelFieldErrors(result.error.fieldErrors));
      setFormError(result.error.message);
      return;
    }
    setSaved(`Added “${result.value.title}” on ${result.value.date}. It is marked on the dashboard’s trend.`);
    setTitle('');
    setDate('');
    setSectorsText('');
    onAdded();
  }

  return (
    <form className="area-form" onSubmit={add} noValidate aria-labelledby="add-event-title">
      <h2 id="add-event-title">Record a local event</h2>
      <ErrorSummary message={formError} />
      <div className="row">
        <Field label="What happened" hint="For example “Large employer closed” or “New food bank opened”." error={errorFor(errors, 'title')}>
          {(p) => <input {...p} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} />}
        </Field>
        <Field label="Date" error={errorFor(errors, 'date')}>
          {(p) => <input {...p} type="date" value={date} onChange={(e) => setDate(e.target.value)} />}
        </Field>
      </div>
      <Field
        label="Postcode sectors affected (optional)"
        hint="Separate with commas, like “PR1 2, PR1 3”. Leave empty for the whole area."
        error={errorFor(errors, 'sectors')}
      >
        {(p) => <input {...p} value={sectorsText} onChange={(e) => setSectorsText(e.target.value)} />}
      </Field>
      <div className="actions">
        <button type="submit" className="primary">
          Add event
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

function EventItem({ event, number, onDeleted }: { event: AreaEvent; number: number; onDeleted: () => void }) {
  const taxonomy = useTaxonomy();
  const [months, setMonths] = useState(3);
  const [state] = useAreaCall('area.events.compare', { id: event.id, months });
  const comparison = shown(state);
  const [error, setError] = useState<string | null>(null);
  const categoryName = (code: string) => taxonomy.categories.find((c) => c.code === code)?.name ?? code;

  async function remove() {
    const result = await call('area.events.delete', { id: event.id });
    if (!result.ok) return setError(result.error.message);
    onDeleted();
  }

  return (
    <li className="area-event" data-testid="area-event">
      <div className="chart-panel-head">
        <h3>
          <span className="event-flag" aria-hidden="true">
            {number}
          </span>{' '}
          {event.title} <time dateTime={event.date}>({event.date})</time>
        </h3>
        <div className="actions">
          <label className="inline-label">
            Months before and after
            <select value={months} onChange={(e) => setMonths(Number(e.target.value))}>
              {[1, 2, 3, 6, 12].map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="danger" onClick={() => void remove()}>
            Delete<span className="visually-hidden"> the event {event.title}</span>
          </button>
        </div>
      </div>
      <p className="hint">{event.sectors?.length ? `Sectors: ${event.sectors.join(', ')}` : 'The whole area'}</p>
      <AreaError message={error} />
      <CallStatus state={state} what="the before and after comparison" />
      {comparison ? (
        <>
          {comparison.note ? <p className="hint event-note">{comparison.note}</p> : null}
          {comparison.monthsAfter.length > 0 ? (
            <p className="hint">
              Study: {event.sectors?.length ? event.sectors.join(', ') : 'the whole area'}, {comparison.monthsBefore[0]} to{' '}
              {comparison.monthsBefore[comparison.monthsBefore.length - 1]} (before) against {comparison.monthsAfter[0]} to{' '}
              {comparison.monthsAfter[comparison.monthsAfter.length - 1]} (after); the event’s own month is left out. A ratio of changes of 1 means the study
              changed just as the baseline did; the interval shows the range the data are consistent with.
            </p>
          ) : null}
          {comparison.baselines.map((b) => (
            <BaselinePanel
              key={b.kind}
              baseline={b}
              keyName={categoryName}
              what="category"
              whatPlural="categories"
              caption={`Presentations ${months} months before and after “${event.title}”, against ${baselineWords(b.kind)}`}
            />
          ))}
        </>
      ) : null}
    </li>
  );
}
