/**
 * Local need against national assumptions: each sector's recorded share of presentations per
 * issue category beside its Indices of Deprivation domain profile (domain deciles averaged over
 * the sector's neighbourhoods; 1 = most deprived). For the categories the Indices speak to,
 * recorded need is ranked across sectors and set against the rank the domain predicts; the
 * sectors where the two disagree most are listed first.
 */
import type { DomainDeciles, DomainName } from '../deprivation.ts';

/** Which IoD domain a category's need is expected to follow. Categories without one are not compared. */
export const CATEGORY_DOMAIN: Readonly<Record<string, DomainName>> = {
  'money-debt': 'income',
  benefits: 'income',
  'employment-skills': 'employment',
  education: 'education',
  'physical-health': 'health',
  'mental-health': 'health',
  'crime-justice': 'crime',
  'safety-abuse': 'crime',
  housing: 'housing',
};

export interface SectorNeed {
  sector: string;
  /** Presentations per category in the sector over the period (published sums). */
  byCategory: Readonly<Record<string, number>>;
  total: number;
}

export interface Disagreement {
  sector: string;
  category: string;
  domain: DomainName;
  /** Share of the sector's presentations in this category. */
  share: number;
  /** Where that share ranks among sectors, 0 (lowest) to 1 (highest). */
  needPercentile: number;
  /** Average domain decile over the sector's neighbourhoods (1 = most deprived). */
  domainDecile: number;
  /** Where the Indices would put this sector's need, 0 (least deprived) to 1 (most). */
  expectedPercentile: number;
  /** needPercentile − expectedPercentile: positive = more need recorded than the Indices suggest. */
  gap: number;
  summary: string;
}

function percentiles(values: readonly number[]): number[] {
  // Mid-rank percentile, so ties share a rank and a single sector sits at 0.5.
  const n = values.length;
  return values.map((v) => {
    const below = values.filter((x) => x < v).length;
    const equal = values.filter((x) => x === v).length;
    return n === 1 ? 0.5 : (below + (equal - 1) / 2) / (n - 1);
  });
}

export function needAgainstIndices(
  sectors: readonly SectorNeed[],
  profiles: ReadonlyMap<string, Readonly<DomainDeciles>>,
  options: { minPresentations?: number; labels?: Readonly<Record<string, string>> } = {},
): Disagreement[] {
  const minPresentations = options.minPresentations ?? 20;
  const usable = sectors.filter((s) => s.total >= minPresentations && profiles.has(s.sector));
  const out: Disagreement[] = [];
  for (const [category, domain] of Object.entries(CATEGORY_DOMAIN)) {
    const shares = usable.map((s) => (s.byCategory[category] ?? 0) / s.total);
    const need = percentiles(shares);
    // Decile 1 = most deprived → expected need highest: rank the negated deciles.
    const deciles = usable.map((s) => profiles.get(s.sector)![domain]);
    const expected = percentiles(deciles.map((d) => -d));
    usable.forEach((s, i) => {
      const gap = need[i]! - expected[i]!;
      const label = options.labels?.[category] ?? category;
      const domainText = `${domain} domain decile ${deciles[i]!.toFixed(1)}`;
      out.push({
        sector: s.sector,
        category,
        domain,
        share: shares[i]!,
        needPercentile: need[i]!,
        domainDecile: deciles[i]!,
        expectedPercentile: expected[i]!,
        gap,
        summary:
          gap > 0
            ? `${s.sector}: more ${label} presentations (${Math.round(shares[i]! * 100)}% of its need) than its ${domainText} suggests`
            : `${s.sector}: fewer ${label} presentations (${Math.round(shares[i]! * 100)}% of its need) than its ${domainText} suggests`,
      });
    });
  }
  return out.sort((a, b) => Math.abs(b.gap) - Math.abs(a.gap));
}

/** Average of domain deciles over a sector's neighbourhoods. */
export function averageDomains(neighbourhoods: readonly Readonly<DomainDeciles>[]): DomainDeciles | null {
  if (neighbourhoods.length === 0) return null;
  const sum = {} as DomainDeciles;
  for (const n of neighbourhoods) for (const [k, v] of Object.entries(n) as [DomainName, number][]) sum[k] = (sum[k] ?? 0) + v;
  for (const k of Object.keys(sum) as DomainName[]) sum[k] = sum[k] / neighbourhoods.length;
  return sum;
}
