/**
 * Issues written in a sheet's own words ("rent arrears; lonely", "DV / housing") matched to the
 * common taxonomy through its codes, names and synonyms. Each distinct phrase is shown once with
 * its proposed match, for the user to confirm, change or mark "not an issue" (mapping.issues).
 */
import { searchIssues, type Taxonomy } from '../taxonomy.ts';
import { NOT_AN_ISSUE } from './mapping.ts';

/** A phrase as compared: lower case, accents and apostrophes gone, spaces collapsed, no end punctuation. */
export function phraseKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/['’‘`]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[\s.\-–•*]+|[\s.!?]+$/g, '');
}

export interface PhraseMatch {
  /** The phrase as first written in the sheet. */
  phrase: string;
  /** Rows it appears in (how many). */
  rows: number;
  /** The proposed issue code, null when nothing matched. */
  proposed: string | null;
  /** exact: its code, name or a synonym; suggested: the best search result; none. */
  confidence: 'exact' | 'suggested' | 'none';
  /** What the import will use: the user's answer, else the proposal; null when still to decide. */
  chosen: string | null;
}

interface Exact {
  byText: Map<string, string>;
}

const exactCache = new WeakMap<Taxonomy, Exact>();

function exactIndex(taxonomy: Taxonomy): Exact {
  let found = exactCache.get(taxonomy);
  if (!found) {
    const byText = new Map<string, string>();
    for (const issue of taxonomy.issues) {
      for (const text of [issue.code, issue.name, ...issue.synonyms]) {
        const key = phraseKey(text);
        if (!byText.has(key)) byText.set(key, issue.code);
      }
    }
    found = { byText };
    exactCache.set(taxonomy, found);
  }
  return found;
}

/**
 * The phrases of one cell: the whole cell when it is an issue's code, name or synonym ("bed and
 * breakfast"), else its parts split at ; , / | and new lines — a part split again at "and", "&"
 * or "+" only when every piece is itself an exact match.
 */
export function splitPhrases(cell: string, taxonomy: Taxonomy): string[] {
  const { byText } = exactIndex(taxonomy);
  const whole = cell.trim();
  if (whole === '') return [];
  if (byText.has(phraseKey(whole))) return [whole];
  const parts = whole
    .split(/[;,/|\n\r]+/)
    .map((p) => p.trim())
    .filter((p) => phraseKey(p) !== '');
  return parts.flatMap((part) => {
    if (byText.has(phraseKey(part))) return [part];
    const pieces = part
      .split(/\s+and\s+|\s*[&+]\s*/i)
      .map((p) => p.trim())
      .filter(Boolean);
    // "housing & benefits": two issues when each piece is one by itself (exactly, or as the best search result).
    const stands = (p: string) => byText.has(phraseKey(p)) || searchIssues(taxonomy, p, 1).length > 0;
    return pieces.length > 1 && pieces.every(stands) ? pieces : [part];
  });
}

/** The proposed match for one phrase. */
export function proposeIssue(phrase: string, taxonomy: Taxonomy): { proposed: string | null; confidence: PhraseMatch['confidence'] } {
  const exact = exactIndex(taxonomy).byText.get(phraseKey(phrase));
  if (exact) return { proposed: exact, confidence: 'exact' };
  const [best] = searchIssues(taxonomy, phrase, 1);
  return best ? { proposed: best.code, confidence: 'suggested' } : { proposed: null, confidence: 'none' };
}

/**
 * Every distinct phrase of the issue cells with its proposal and what will be used: the user's
 * answer (`answers`, by phrase as written or by its key; "not-an-issue" or a code), else the
 * proposal (exact or suggested — the report lists each so it can be checked).
 */
export function matchPhrases(cells: Iterable<string>, taxonomy: Taxonomy, answers: Record<string, string> = {}): PhraseMatch[] {
  const byKey = new Map<string, PhraseMatch>();
  const answerByKey = new Map(Object.entries(answers).map(([phrase, answer]) => [phraseKey(phrase), answer]));
  for (const cell of cells) {
    for (const phrase of splitPhrases(cell, taxonomy)) {
      const key = phraseKey(phrase);
      const seen = byKey.get(key);
      if (seen) {
        seen.rows += 1;
        continue;
      }
      const { proposed, confidence } = proposeIssue(phrase, taxonomy);
      const answer = answerByKey.get(key);
      byKey.set(key, { phrase, rows: 1, proposed, confidence, chosen: answer ?? proposed });
    }
  }
  return [...byKey.values()].sort((a, b) => b.rows - a.rows || a.phrase.localeCompare(b.phrase));
}

/** The codes a cell stands for under the chosen matches; `unmatched` lists phrases with no code chosen. */
export function codesOf(cell: string, taxonomy: Taxonomy, chosen: ReadonlyMap<string, string | null>): { codes: string[]; unmatched: string[] } {
  const codes: string[] = [];
  const unmatched: string[] = [];
  for (const phrase of splitPhrases(cell, taxonomy)) {
    const answer = chosen.get(phraseKey(phrase)) ?? null;
    if (answer === null) unmatched.push(phrase);
    else if (answer !== NOT_AN_ISSUE && !codes.includes(answer)) codes.push(answer);
  }
  return { codes, unmatched };
}
