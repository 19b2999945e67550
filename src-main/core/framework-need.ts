/**
 * Need grouped by the national outcome framework entries the issues are defined against
 * (Supporting Families headline outcomes, Public Health Outcomes Framework domains and
 * indicators, Adult Social Care objectives) — the language commissioners plan in. Pure.
 *
 * An issue may reference several entries, so it counts under each: the rows of one framework do
 * not add up to the total. People cannot be added across issues (one person may have several
 * issues under the same outcome), so an outcome's people are given as a lower bound: the most of
 * any one of its issues.
 */
import type { OutcomeEntry } from './frameworks.ts';
import type { Taxonomy } from './taxonomy.ts';

export interface IssueCount {
  issueCode: string;
  presentations: number;
  /** Distinct people with this issue; null where the source cannot say (area bundles summed over cells). */
  people: number | null;
}

export interface FrameworkNeedRow {
  id: string;
  framework: string;
  level: string;
  code: string;
  title: string;
  /** The taxonomy issues defined against this entry, with presentations. */
  issues: { code: string; presentations: number }[];
  presentations: number;
  /** At least this many people (the most of any one issue); null when people are not known. */
  peopleAtLeast: number | null;
}

export interface FrameworkNeed {
  frameworks: { framework: string; rows: FrameworkNeedRow[] }[];
  /** Presentations of issues linked to no framework entry. */
  unlinked: { presentations: number; issues: string[] };
  totalPresentations: number;
}

const FRAMEWORK_ORDER = ['SFOF', 'PHOF', 'ASCOF'];

export function needByFramework(counts: readonly IssueCount[], taxonomy: Taxonomy, outcomes: readonly OutcomeEntry[]): FrameworkNeed {
  const issues = new Map(taxonomy.issues.map((i) => [i.code, i]));
  const rows = new Map<string, FrameworkNeedRow>();
  const unlinked = { presentations: 0, issues: [] as string[] };
  let totalPresentations = 0;
  const entries = new Map(outcomes.map((o) => [o.id, o]));
  for (const c of counts) {
    if (c.presentations === 0) continue;
    totalPresentations += c.presentations;
    const refs = (issues.get(c.issueCode)?.frameworks ?? []).filter((id) => entries.has(id));
    if (refs.length === 0) {
      unlinked.presentations += c.presentations;
      unlinked.issues.push(c.issueCode);
      continue;
    }
    for (const id of refs) {
      const o = entries.get(id)!;
      const row = rows.get(id) ?? rows.set(id, { ...o, issues: [], presentations: 0, peopleAtLeast: c.people === null ? null : 0 }).get(id)!;
      row.issues.push({ code: c.issueCode, presentations: c.presentations });
      row.presentations += c.presentations;
      row.peopleAtLeast = row.peopleAtLeast === null || c.people === null ? null : Math.max(row.peopleAtLeast, c.people);
    }
  }
  const order = new Map(outcomes.map((o, i) => [o.id, i]));
  const rank = (framework: string) => (FRAMEWORK_ORDER.includes(framework) ? FRAMEWORK_ORDER.indexOf(framework) : FRAMEWORK_ORDER.length);
  const frameworks = [...new Set(outcomes.map((o) => o.framework))]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((framework) => ({
      framework,
      rows: [...rows.values()]
        .filter((r) => r.framework === framework)
        .sort((a, b) => order.get(a.id)! - order.get(b.id)!)
        .map((r) => ({ ...r, issues: r.issues.sort((x, y) => y.presentations - x.presentations || x.code.localeCompare(y.code)) })),
    }));
  return { frameworks, unlinked, totalPresentations };
}
