/**
 * The column mapping: which column of the sheet fills which target (core/import/targets.ts), the
 * date order, values for what the sheet does not hold (defaults), the user's answer for each
 * issue phrase, and the choice for each group of possible duplicates. The same JSON is the CLI's
 * `--mapping FILE.json` and what the import screen sends; what was chosen is saved for next time.
 */
import { z } from 'zod';
import { ISSUE_CODE_PATTERN } from '../taxonomy.ts';
import { IMPORT_TARGETS, TARGETS_BY_KEY, normaliseHeader } from './targets.ts';

export const NOT_AN_ISSUE = 'not-an-issue';
export const IGNORE_COLUMN = 'ignore';
export const DUPLICATE_CHOICES = ['merge', 'separate', 'skip'] as const;
export type DuplicateChoice = (typeof DUPLICATE_CHOICES)[number];

const targetKey = z.string().refine((k) => k === IGNORE_COLUMN || TARGETS_BY_KEY.has(k), {
  message: `Each column maps to one of: ${IMPORT_TARGETS.map((t) => t.key).join(', ')}, or "${IGNORE_COLUMN}".`,
});

export const ImportMapping = z
  .object({
    /** Header text (as in the sheet) → target key or "ignore". Headers not listed are proposed from their wording. */
    columns: z.record(z.string().max(200), targetKey).default({}),
    dateOrder: z.enum(['day-first', 'month-first']).default('day-first'),
    /** Values for targets the sheet leaves empty or does not have, written as in a cell ("yes", "01/02/2024"). */
    defaults: z
      .record(
        z.string().refine((k) => TARGETS_BY_KEY.has(k), { message: 'A default must name an import target.' }),
        z.string().max(200),
      )
      .default({}),
    /** Issue phrase (as written in the sheet) → issue code, or "not-an-issue". */
    issues: z
      .record(
        z.string().max(300),
        z.string().refine((v) => v === NOT_AN_ISSUE || ISSUE_CODE_PATTERN.test(v), { message: `An issue code (e.g. HOU-ARREARS) or "${NOT_AN_ISSUE}".` }),
      )
      .default({}),
    duplicates: z
      .object({
        /** For groups not listed below. Omitted: merge, except sheet clients with different client numbers (kept separate). */
        default: z.enum(DUPLICATE_CHOICES).optional(),
        /** Group id as the report names it ("row-12") → choice. */
        groups: z.record(z.string().max(40), z.enum(DUPLICATE_CHOICES)).default({}),
      })
      .default({ groups: {} }),
  })
  .strict();
export type ImportMapping = z.output<typeof ImportMapping>;
export type ImportMappingInput = z.input<typeof ImportMapping>;

/** Built in, so a sheet of clients and issues needs no defaults for these; a mapping's defaults override them. */
export const BUILT_IN_DEFAULTS: Readonly<Record<string, string>> = {
  'contact.kind': 'appointment',
  'contact.staffName': 'Not recorded',
};

/** What the user chose before, by normalised header and phrase (kept in settings, see db/import/saved-mapping.ts). */
export interface SavedChoices {
  columns: Record<string, string>;
  issues: Record<string, string>;
}

/**
 * The target proposed for each header: the user's earlier choice for the same wording, else an
 * exact match of the header against a target's names; each target proposed for one column only
 * (the first). Headers matching nothing are ignored.
 */
export function proposeColumns(headers: readonly string[], saved: SavedChoices = { columns: {}, issues: {} }): Record<string, string> {
  const byWord = new Map<string, string>();
  for (const t of IMPORT_TARGETS) {
    for (const word of [t.header, t.key.split('.')[1]!, ...t.synonyms]) {
      const n = normaliseHeader(word);
      if (n && !byWord.has(n)) byWord.set(n, t.key);
    }
  }
  const used = new Set<string>();
  const out: Record<string, string> = {};
  for (const header of headers) {
    const n = normaliseHeader(header);
    const proposed = saved.columns[n] ?? byWord.get(n) ?? IGNORE_COLUMN;
    if (proposed !== IGNORE_COLUMN && used.has(proposed)) {
      out[header] = IGNORE_COLUMN;
      continue;
    }
    used.add(proposed);
    out[header] = proposed;
  }
  return out;
}

/** The mapping's columns completed with proposals for headers it does not list. */
export function columnsFor(headers: readonly string[], mapping: ImportMapping, saved?: SavedChoices): Record<string, string> {
  const proposed = proposeColumns(
    headers.filter((h) => !(h in mapping.columns)),
    saved,
  );
  const taken = new Set(Object.values(mapping.columns).filter((k) => k !== IGNORE_COLUMN));
  const out: Record<string, string> = {};
  for (const header of headers) {
    const explicit = mapping.columns[header];
    if (explicit !== undefined) out[header] = explicit;
    else out[header] = proposed[header] && !taken.has(proposed[header]) ? proposed[header] : IGNORE_COLUMN;
  }
  return out;
}

/** What to remember from a finished import: its columns and issue answers, by normalised wording. */
export function choicesToSave(columns: Record<string, string>, issues: Record<string, string>, before: SavedChoices): SavedChoices {
  const out: SavedChoices = { columns: { ...before.columns }, issues: { ...before.issues } };
  for (const [header, key] of Object.entries(columns)) if (normaliseHeader(header)) out.columns[normaliseHeader(header)] = key;
  for (const [phrase, answer] of Object.entries(issues)) out.issues[phrase.trim().toLowerCase()] = answer;
  return out;
}
