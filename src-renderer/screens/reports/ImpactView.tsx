/** Impact: outcomes of within-remit issues, median days to resolve, open issues older than N days, and referrals out. */
import { useState } from 'react';
import { ChartPanel } from '../../components/charts/ChartPanel.tsx';
import { SERIES_COLOURS, wrapLabel } from '../../components/charts/chartjs.ts';
import { percent } from '../../components/charts/DataTable.tsx';
import { Field, errorFor } from '../../components/Field.tsx';
import { asCallFilter, type ReportFilterState } from './filterStore.ts';
import { ReportStatus } from './ReportStatus.tsx';
import { formatDate } from '../../format.ts';
import { shown, useReport } from './useReport.ts';

function share(value: number | null): string {
  return value === null ? '—' : `${Math.round(value * 100)}%`;
}

export function ImpactView({ filter }: { filter: ReportFilterState }) {
  const [daysText, setDaysText] = useState('90');
  const days = /^\d+$/.test(daysText.trim()) ? Number(daysText) : Number.NaN;
  // An unparseable entry is still sent, so the contract's own message appears by the field.
  const impactState = useReport('reports.impact', { filter: asCallFilter(filter), openOlderThanDays: days });
  const referralState = useReport('reports.referrals', { filter: asCallFilter(filter) });
  const impact = shown(impactState);
  const referrals = shown(referralState);
  const daysError = impactState.status === 'error' ? errorFor(impactState.error.fieldErrors, 'openOlderThanDays') : undefined;
  const stillOpen = impact ? impact.cohort - impact.resolved - impact.improved - impact.closedUnresolved : 0;

  return (
    <div className={impactState.status === 'loading' || referralState.status === 'loading' ? 'report-body stale' : 'report-body'}>
      <div className="row impact-controls">
        <Field label="Count open issues older than (days)" error={daysError}>
          {(p) => <input {...p} inputMode="numeric" className="days-input" value={daysText} onChange={(e) => setDaysText(e.target.value)} />}
        </Field>
      </div>
      {daysError ? null : <ReportStatus state={impactState} what="the outcomes" />}
      {impact ? (
        <>
          <ul className="figures" aria-label="Impact at a glance">
            <li>
              <span className="figure">{share(impact.improvedOrResolvedShare)}</span>
              <span className="figure-label">of {impact.cohort.toLocaleString('en-GB')} within-remit issues identified in the period improved or resolved</span>
            </li>
            <li>
              <span className="figure">{impact.medianDaysToResolve === null ? '—' : `${impact.medianDaysToResolve} days`}</span>
              <span className="figure-label">median from identified to resolved ({impact.resolvedWithDays.toLocaleString('en-GB')} resolved)</span>
            </li>
            <li>
              <span className="figure">{impact.openOlderThan.toLocaleString('en-GB')}</span>
              <span className="figure-label">
                of {impact.openAtEnd.toLocaleString('en-GB')} issues still open on {formatDate(filter.to)} were identified more than {impact.openOlderThanDays}{' '}
                days before
              </span>
            </li>
          </ul>
          <ChartPanel
            slug="outcomes"
            title="Outcomes of within-remit issues"
            description="Each within-remit issue identified in the period, by its status at the end of the period."
            height={240}
            chart={{
              type: 'bar',
              data: {
                labels: ['Resolved', 'Improved', 'Closed, not resolved', 'Still open'],
                datasets: [
                  {
                    label: 'Issues',
                    data: [impact.resolved, impact.improved, impact.closedUnresolved, stillOpen],
                    backgroundColor: ['#1d6b35', '#4f9a5e', '#b3261e', '#5f6b7a'],
                  },
                ],
              },
              options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
            }}
            table={{
              caption: 'Outcomes of within-remit issues identified in the period',
              columns: [{ label: 'Outcome' }, { label: 'Issues', numeric: true }, { label: 'Share', numeric: true, format: percent }],
              rows: [
                ['Resolved', impact.resolved, impact.resolvedShare],
                ['Improved', impact.improved, impact.improvedShare],
                ['Closed, not resolved', impact.closedUnresolved, impact.cohort ? impact.closedUnresolved / impact.cohort : null],
                ['Still open', stillOpen, impact.cohort ? stillOpen / impact.cohort : null],
                ['All', impact.cohort, impact.cohort ? 1 : null],
              ],
            }}
          />
        </>
      ) : null}
      <ReportStatus state={referralState} what="the referrals" />
      {referrals ? (
        <ChartPanel
          slug="referrals"
          title="Referrals made, by destination"
          description={`${referrals.total.toLocaleString('en-GB')} referrals for ${referrals.people.toLocaleString('en-GB')} people in the period.`}
          height={Math.max(220, Math.min(referrals.destinations.length, 15) * 40 + 60)}
          sortable
          chart={{
            type: 'bar',
            data: {
              labels: referrals.destinations.slice(0, 15).map((d) => wrapLabel(d.destination)),
              datasets: [
                { label: 'Referrals', data: referrals.destinations.slice(0, 15).map((d) => d.referrals), backgroundColor: SERIES_COLOURS.presentations },
                { label: 'People', data: referrals.destinations.slice(0, 15).map((d) => d.people), backgroundColor: SERIES_COLOURS.people },
              ],
            },
            options: { indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
          }}
          table={{
            caption: 'Referrals made in the period, by destination',
            columns: [{ label: 'Destination' }, { label: 'Referrals', numeric: true }, { label: 'People', numeric: true }],
            rows: referrals.destinations.map((d) => [d.destination, d.referrals, d.people]),
          }}
        />
      ) : null}
    </div>
  );
}
