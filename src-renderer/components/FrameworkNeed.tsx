/**
 * Need grouped by national outcome framework (reports.frameworks, area.frameworks): for each
 * framework, the entries the recorded issues are defined against, with presentations, people where
 * known, and the issues behind each. Shared by the local reports and the area picture.
 */
import type { CallOutput } from '../../src-main/ipc/contract.ts';
import { useTaxonomy } from '../use-taxonomy.ts';
import { ChartPanel } from './charts/ChartPanel.tsx';
import { SERIES_COLOURS, wrapLabel } from './charts/chartjs.ts';

type FrameworkNeed = CallOutput<'reports.frameworks'>;

const FRAMEWORK_NAMES: Record<string, string> = {
  SFOF: 'Supporting Families Outcome Framework: headline outcomes',
  PHOF: 'Public Health Outcomes Framework: domains and indicators',
  ASCOF: 'Adult Social Care Outcomes Framework: objectives',
};

/** "B15a Homelessness: …"; ASCOF's codes are slugs that repeat the title, so its titles stand alone. */
function entryLabel(r: { framework: string; code: string; title: string }): string {
  return r.framework === 'ASCOF' ? r.title : `${r.code} ${r.title}`;
}

export function FrameworkNeedPanels({ need, slugPrefix }: { need: FrameworkNeed; slugPrefix: string }) {
  const taxonomy = useTaxonomy();
  const issueName = (code: string) => taxonomy.issues.find((i) => i.code === code)?.name ?? code;
  const withPeople = need.frameworks.some((f) => f.rows.some((r) => r.peopleAtLeast !== null));
  return (
    <>
      <p className="hint" data-testid="framework-note">
        {need.totalPresentations.toLocaleString('en-GB')} presentations. An issue defined against several outcomes counts under each, so a framework’s rows do
        not add up to the total{withPeople ? '; people are a lower bound (one person may have several issues under the same outcome)' : ''}.{' '}
        {need.unlinked.presentations > 0
          ? `${need.unlinked.presentations.toLocaleString('en-GB')} presentations are of issues no national framework indicator covers (${need.unlinked.issues.length} issues, such as ${need.unlinked.issues
              .slice(0, 3)
              .map(issueName)
              .join(', ')}).`
          : ''}
      </p>
      {need.frameworks
        .filter((f) => f.rows.length > 0)
        .map((f) => (
          <ChartPanel
            key={f.framework}
            slug={`${slugPrefix}-${f.framework.toLowerCase()}`}
            title={FRAMEWORK_NAMES[f.framework] ?? f.framework}
            description="Presentations of the issues defined against each outcome or indicator."
            height={Math.max(220, f.rows.length * 40 + 60)}
            sortable
            chart={{
              type: 'bar',
              data: {
                labels: f.rows.map((r) => wrapLabel(entryLabel(r), 40)),
                datasets: [{ label: 'Presentations', data: f.rows.map((r) => r.presentations), backgroundColor: SERIES_COLOURS.presentations }],
              },
              options: {
                indexAxis: 'y',
                plugins: { legend: { display: false } },
                scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false } } },
              },
            }}
            table={{
              caption: `Need by ${f.framework} outcome`,
              columns: [
                { label: 'Outcome' },
                { label: 'Presentations', numeric: true },
                ...(withPeople ? [{ label: 'People (at least)', numeric: true }] : []),
                { label: 'Issues (presentations)' },
              ],
              rows: f.rows.map((r) => [
                entryLabel(r),
                r.presentations,
                ...(withPeople ? [r.peopleAtLeast] : []),
                r.issues.map((i) => `${issueName(i.code)} (${i.presentations.toLocaleString('en-GB')})`).join('; '),
              ]),
            }}
          />
        ))}
    </>
  );
}
