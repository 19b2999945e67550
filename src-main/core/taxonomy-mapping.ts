/**
 * Reading bundles recorded under an older taxonomy version: the mapping from each older version's
 * issue codes to the current version's (resources/taxonomy-mapping-*.json), so bundles of both
 * versions combine in the area picture. It is compiled in rather than read at run time because
 * every reader of bundles must apply exactly the same mapping as the file the tests check.
 *
 * Only issue codes need mapping: the categories are the same in both versions. A code whose
 * meaning narrowed keeps its code (its older figures are flagged, not moved); a renamed or merged
 * code would name its new code in `to`.
 */
import { z } from 'zod';
import mapping20262 from '../../resources/taxonomy-mapping-2026.1-to-2026.2.json';
import { ISSUE_CODE_PATTERN } from './taxonomy.ts';

export const TaxonomyMappingSchema = z.object({
  from: z.string().min(1),
  to: z.string().min(1),
  about: z.string(),
  issues: z.array(
    z.object({
      from: z.string().regex(ISSUE_CODE_PATTERN),
      to: z.string().regex(ISSUE_CODE_PATTERN),
      relation: z.enum(['same', 'clarified', 'narrowed', 'renamed', 'merged']),
      note: z.string().optional(),
    }),
  ),
  newIn2026_2: z.array(z.string().regex(ISSUE_CODE_PATTERN)).optional(),
});
export type TaxonomyMapping = z.infer<typeof TaxonomyMappingSchema>;

/** Every mapping shipped, oldest first. */
export const TAXONOMY_MAPPINGS: readonly TaxonomyMapping[] = [TaxonomyMappingSchema.parse(mapping20262)];

/** Bundle tables whose cells name issue codes, and which key position holds the code. */
const ISSUE_KEY_POSITION: Readonly<Record<string, number>> = {
  'district-month-issue': 2,
  'sector-quarter-issue': 2,
};

/** The chain of mappings from `version` to `current`, or null when there is none. */
function chain(version: string, current: string, mappings: readonly TaxonomyMapping[]): TaxonomyMapping[] | null {
  const steps: TaxonomyMapping[] = [];
  let at = version;
  while (at !== current) {
    const next = mappings.find((m) => m.from === at);
    if (!next || steps.includes(next)) return null;
    steps.push(next);
    at = next.to;
  }
  return steps;
}

/** The versions whose bundles can be read by an app on `current`: itself and every version mapped to it. */
export function readableTaxonomyVersions(current: readonly string[], mappings: readonly TaxonomyMapping[] = TAXONOMY_MAPPINGS): string[] {
  const out = new Set(current);
  for (const target of current) for (const m of mappings) if (chain(m.from, target, mappings)) out.add(m.from);
  return [...out];
}

/**
 * A function turning a cell key of a bundle recorded under `version` into the key under `current`
 * (the identity when they are the same). Codes a mapping does not list are kept as they are.
 */
export function cellKeyTranslator(
  version: string,
  current: readonly string[],
  mappings: readonly TaxonomyMapping[] = TAXONOMY_MAPPINGS,
): (tableId: string, key: readonly string[]) => readonly string[] {
  const target = current.find((c) => chain(version, c, mappings));
  const steps = target === undefined ? [] : chain(version, target, mappings)!;
  if (steps.length === 0) return (_tableId, key) => key;
  const stepMaps = steps.map((step) => new Map(step.issues.map((e) => [e.from, e.to])));
  const translate = (code: string) => stepMaps.reduce((c, map) => map.get(c) ?? c, code);
  return (tableId, key) => {
    const position = ISSUE_KEY_POSITION[tableId];
    if (position === undefined) return key;
    const out = [...key];
    out[position] = translate(out[position]!);
    return out;
  };
}
