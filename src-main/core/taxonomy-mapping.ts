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
import { TABLE_SPECS, type TableId } from './bundle/schema.ts';
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

/** Which key position of a bundle table holds an issue code (-1: none). */
function issuePosition(tableId: string): number {
  return TABLE_SPECS[tableId as TableId]?.dimensions.indexOf('issue') ?? -1;
}

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

/** Issue code under `version` → issue code under the first of `current` it maps to; null when nothing changes. */
function issueCodeTranslator(version: string, current: readonly string[], mappings: readonly TaxonomyMapping[]): ((code: string) => string) | null {
  const target = current.find((c) => chain(version, c, mappings));
  const steps = target === undefined ? [] : chain(version, target, mappings)!;
  if (steps.length === 0) return null;
  const stepMaps = steps.map((step) => new Map(step.issues.map((e) => [e.from, e.to])));
  return (code) => stepMaps.reduce((c, map) => map.get(c) ?? c, code);
}

/**
 * A function turning a cell key of a bundle recorded under `version` into the key under the first
 * of `current` it maps to (the identity when it is current). Codes a mapping does not list are kept.
 */
export function cellKeyTranslator(
  version: string,
  current: readonly string[],
  mappings: readonly TaxonomyMapping[] = TAXONOMY_MAPPINGS,
): (tableId: string, key: readonly string[]) => readonly string[] {
  const translate = issueCodeTranslator(version, current, mappings);
  if (!translate) return (_tableId, key) => key;
  return (tableId, key) => {
    const position = issuePosition(tableId);
    if (position < 0) return key;
    const out = [...key];
    out[position] = translate(out[position]!);
    return out;
  };
}

/** A table's universe (one sorted value list per dimension) with its issue codes translated likewise. */
export function universeTranslator(
  version: string,
  current: readonly string[],
  mappings: readonly TaxonomyMapping[] = TAXONOMY_MAPPINGS,
): (tableId: string, universe: readonly (readonly string[])[]) => readonly (readonly string[])[] {
  const translate = issueCodeTranslator(version, current, mappings);
  if (!translate) return (_tableId, universe) => universe;
  return (tableId, universe) => {
    const position = issuePosition(tableId);
    return universe.map((values, d) => (d === position ? [...new Set(values.map(translate))].sort() : values));
  };
}

/**
 * The codes of every older version readable by an app carrying `current` (its own first): the
 * issue codes each mapping lists, and the current categories (the versions share them).
 */
export function readableTaxonomyCodes<T extends { version: string; categories: readonly string[]; issues: readonly string[] }>(
  current: T,
  mappings: readonly TaxonomyMapping[] = TAXONOMY_MAPPINGS,
): { version: string; categories: readonly string[]; issues: readonly string[] }[] {
  const older = mappings
    .filter((m) => m.from !== current.version && chain(m.from, current.version, mappings))
    .map((m) => ({ version: m.from, categories: current.categories, issues: m.issues.map((e) => e.from) }));
  return [current, ...older];
}
