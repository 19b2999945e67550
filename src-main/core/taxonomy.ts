/**
 * The common issue taxonomy: the shared list of issues that clients present with, so that
 * "unsuitable housing" means the same thing in every organisation. The data ships as
 * `resources/taxonomy.json`; this module validates it and searches it. Pure domain logic: no
 * file system, Electron or database access (the caller reads the file).
 */
import { z } from 'zod';

/** Issue codes: 3-letter category prefix, then one or more upper-case words, e.g. `HOU-UNSUITABLE`. */
export const ISSUE_CODE_PATTERN = /^[A-Z]{3}-[A-Z0-9]+(?:-[A-Z0-9]+)*$/;
/** Category codes: lower-case slugs, e.g. `money-debt`. */
export const CATEGORY_CODE_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const nonBlank = (what: string) => z.string().refine((s) => s.trim().length > 0, { message: `${what} must not be empty` });

export const TaxonomyCategorySchema = z.object({
  code: z.string().regex(CATEGORY_CODE_PATTERN, { message: 'category code must be a lower-case slug' }),
  name: nonBlank('category name'),
});

export const TaxonomyIssueSchema = z.object({
  code: z.string().regex(ISSUE_CODE_PATTERN, { message: 'issue code must look like AAA-WORD[-WORD]' }),
  name: nonBlank('issue name'),
  category: z.string(),
  definition: nonBlank('definition'),
  synonyms: z.array(nonBlank('synonym')),
  /** Ids from `resources/frameworks/outcomes.csv` (`id` column); may be empty. */
  frameworks: z.array(nonBlank('framework id')),
});

const TaxonomyShape = z.object({
  version: nonBlank('version'),
  title: nonBlank('title'),
  categories: z.array(TaxonomyCategorySchema).min(1),
  issues: z.array(TaxonomyIssueSchema).min(1),
});

type TaxonomyData = z.infer<typeof TaxonomyShape>;

interface Problem {
  path: (string | number)[];
  message: string;
}

/** Cross-record rules that a per-field schema cannot express. */
function crossChecks(t: TaxonomyData, frameworkIds?: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];

  const categoryAt = new Map<string, number>();
  t.categories.forEach((c, i) => {
    const first = categoryAt.get(c.code);
    if (first !== undefined) {
      problems.push({ path: ['categories', i, 'code'], message: `duplicate category code "${c.code}" (also categories[${first}])` });
    } else {
      categoryAt.set(c.code, i);
    }
  });

  const issueAt = new Map<string, number>();
  t.issues.forEach((issue, i) => {
    const first = issueAt.get(issue.code);
    if (first !== undefined) {
      problems.push({ path: ['issues', i, 'code'], message: `duplicate issue code "${issue.code}" (also issues[${first}])` });
    } else {
      issueAt.set(issue.code, i);
    }

    if (!categoryAt.has(issue.category)) {
      problems.push({ path: ['issues', i, 'category'], message: `issue ${issue.code} has unknown category "${issue.category}"` });
    }

    const synonyms = new Set<string>();
    issue.synonyms.forEach((s, j) => {
      const key = s.trim().toLowerCase();
      if (synonyms.has(key)) {
        problems.push({ path: ['issues', i, 'synonyms', j], message: `issue ${issue.code} repeats synonym "${s}"` });
      }
      synonyms.add(key);
    });

    const refs = new Set<string>();
    issue.frameworks.forEach((id, j) => {
      if (refs.has(id)) {
        problems.push({ path: ['issues', i, 'frameworks', j], message: `issue ${issue.code} repeats framework id "${id}"` });
      }
      refs.add(id);
      if (frameworkIds && !frameworkIds.has(id)) {
        problems.push({ path: ['issues', i, 'frameworks', j], message: `issue ${issue.code} references unknown framework id "${id}"` });
      }
    });
  });

  return problems;
}

/** The whole file: structure, field formats and the cross-record rules. */
export const TaxonomySchema = TaxonomyShape.superRefine((t, ctx) => {
  for (const p of crossChecks(t)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
});

export type Taxonomy = z.infer<typeof TaxonomySchema>;
export type TaxonomyIssue = z.infer<typeof TaxonomyIssueSchema>;
export type TaxonomyCategory = z.infer<typeof TaxonomyCategorySchema>;

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export interface ParseTaxonomyOptions {
  /** When given, every issue's framework references must be one of these ids (outcomes.csv `id`). */
  frameworkIds?: Iterable<string>;
}

/**
 * Validates parsed JSON as a taxonomy: the zod schema, then unique issue and category codes,
 * known categories, non-blank definitions, synonyms unique within an issue (ignoring case) and,
 * when `options.frameworkIds` is given, known framework references. Throws one Error listing
 * every problem with its location, e.g. `issues[12].code: duplicate issue code "HOU-ARREARS"`.
 */
export function parseTaxonomy(json: unknown, options: ParseTaxonomyOptions = {}): Taxonomy {
  const result = TaxonomySchema.safeParse(json);
  let problems: string[];
  if (!result.success) {
    problems = result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
  } else {
    if (options.frameworkIds === undefined) return result.data;
    const ids = new Set(options.frameworkIds);
    problems = crossChecks(result.data, ids).map((p) => `${formatPath(p.path)}: ${p.message}`);
    if (problems.length === 0) return result.data;
  }
  const shown = problems.slice(0, 50);
  const more = problems.length > shown.length ? `\n- …and ${problems.length - shown.length} more` : '';
  throw new Error(`Invalid taxonomy (${problems.length} problem(s)):\n- ${shown.join('\n- ')}${more}`);
}

// ---------------------------------------------------------------------------------------------
// Search

/** Lower-case, strip accents and apostrophes, so "Carer's" and "carers" compare equal. */
function fold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/['’‘`]/g, '')
    .toLowerCase();
}

function words(s: string): string[] {
  return fold(s)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

interface IndexedIssue {
  issue: TaxonomyIssue;
  order: number;
  code: string;
  name: string;
  nameWords: string[];
  synonyms: string[];
  synonymWords: string[];
  codeWords: string[];
  definition: string;
  definitionWords: string[];
}

const indexCache = new WeakMap<Taxonomy, IndexedIssue[]>();

function indexOf(taxonomy: Taxonomy): IndexedIssue[] {
  let index = indexCache.get(taxonomy);
  if (!index) {
    index = taxonomy.issues.map((issue, order) => ({
      issue,
      order,
      code: fold(issue.code),
      name: fold(issue.name),
      nameWords: words(issue.name),
      synonyms: issue.synonyms.map(fold),
      synonymWords: [...new Set(issue.synonyms.flatMap(words))],
      codeWords: words(issue.code),
      definition: fold(issue.definition),
      definitionWords: [...new Set(words(issue.definition))],
    }));
    indexCache.set(taxonomy, index);
  }
  return index;
}

/** Shorter query words must start a word in the definition rather than occur anywhere in it. */
const MIN_SUBSTRING_LENGTH = 3;

const hasPrefix = (list: readonly string[], token: string) => list.some((w) => w.startsWith(token));

/**
 * Rank of an issue for a query (lower is better), or undefined when it does not match.
 * Tiers: 0 exact code; 1 name starts with the query; 2 every word is a prefix of a word in the
 * name, or the query is a prefix of the code; 3 matched using synonyms (exact synonym first,
 * then synonym starting with the query, then word prefixes); 4 some word found only inside the
 * definition (or inside a longer name or synonym word). Every query word must match somewhere.
 */
function rank(entry: IndexedIssue, query: string, tokens: readonly string[]): number | undefined {
  if (entry.code === query) return 0;

  let usesSynonym = false;
  let usesDefinition = false;
  for (const t of tokens) {
    if (hasPrefix(entry.nameWords, t) || hasPrefix(entry.codeWords, t)) continue;
    if (hasPrefix(entry.synonymWords, t)) {
      usesSynonym = true;
      continue;
    }
    // Substring matches only for words of 3+ characters: "dv" should not match "advice".
    const found =
      t.length >= MIN_SUBSTRING_LENGTH
        ? entry.definition.includes(t) || entry.name.includes(t) || entry.synonyms.some((s) => s.includes(t))
        : hasPrefix(entry.definitionWords, t);
    if (found) {
      usesDefinition = true;
      continue;
    }
    return undefined;
  }

  if (entry.name.startsWith(query)) return 10;
  if (!usesSynonym && !usesDefinition) return entry.code.startsWith(query) ? 20 : 21;
  if (entry.synonyms.includes(query)) return 30;
  if (entry.synonyms.some((s) => s.startsWith(query))) return 31;
  if (!usesDefinition) return 32;
  return 40;
}

/**
 * Keyboard search over issues, case-insensitive: exact code first, then name prefix, then
 * word prefixes in the name, then synonym matches, then words found in the definition.
 * Multi-word queries need every word to match somewhere. Ties keep taxonomy order.
 * An empty query, or one with no letters or digits, returns [].
 */
export function searchIssues(taxonomy: Taxonomy, query: string, limit = 20): TaxonomyIssue[] {
  const q = fold(query).trim().replace(/\s+/g, ' ');
  const tokens = words(query);
  if (tokens.length === 0 || limit <= 0) return [];

  const hits: { entry: IndexedIssue; score: number }[] = [];
  for (const entry of indexOf(taxonomy)) {
    const score = rank(entry, q, tokens);
    if (score !== undefined) hits.push({ entry, score });
  }
  hits.sort((a, b) => a.score - b.score || a.entry.order - b.entry.order);
  return hits.slice(0, limit).map((h) => h.entry.issue);
}
