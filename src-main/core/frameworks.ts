/**
 * National outcome frameworks (SFOF, PHOF, ASCOF) that the common issue taxonomy references.
 * The list ships as `resources/frameworks/outcomes.csv` (Crown copyright, Open Government
 * Licence v3.0; see `resources/frameworks/README.md`). Pure: the caller reads the file.
 */
import { parse } from 'csv-parse/sync';

export interface OutcomeEntry {
  /** Stable identifier referenced from the taxonomy, e.g. `PHOF-B15a`. */
  id: string;
  /** `SFOF`, `PHOF` or `ASCOF`. */
  framework: string;
  /** `headline`, `domain`, `indicator` or `objective`. */
  level: string;
  /** The framework's own code, e.g. `B15a`. */
  code: string;
  /** Official wording, lightly shortened. */
  title: string;
}

const REQUIRED_COLUMNS = ['id', 'framework', 'level', 'code', 'title'] as const;

/**
 * Parses the outcomes CSV (header row required; quoted fields may contain commas, quotes and
 * line breaks). Throws an Error naming every problem: a missing column, a row without an id
 * or title, or a repeated id.
 */
export function parseOutcomesCsv(text: string): OutcomeEntry[] {
  let rows: Record<string, string>[];
  try {
    rows = parse<Record<string, string>>(text, {
      columns: true,
      bom: true,
      skip_empty_lines: true,
      trim: true,
    });
  } catch (err) {
    throw new Error(`Invalid outcomes CSV: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }

  if (rows.length === 0) {
    throw new Error('Invalid outcomes CSV: no data rows');
  }
  const header = new Set(Object.keys(rows[0] ?? {}));
  const missing = REQUIRED_COLUMNS.filter((c) => !header.has(c));
  if (missing.length > 0) {
    throw new Error(`Invalid outcomes CSV: missing column(s) ${missing.join(', ')}`);
  }

  const problems: string[] = [];
  const seen = new Map<string, number>();
  const entries: OutcomeEntry[] = rows.map((row, i) => {
    const line = i + 2; // 1-based, after the header
    const entry: OutcomeEntry = {
      id: row.id ?? '',
      framework: row.framework ?? '',
      level: row.level ?? '',
      code: row.code ?? '',
      title: row.title ?? '',
    };
    if (entry.id === '') problems.push(`row ${line}: empty id`);
    if (entry.title === '') problems.push(`row ${line}: empty title`);
    if (entry.id !== '') {
      const first = seen.get(entry.id);
      if (first !== undefined) problems.push(`row ${line}: duplicate id "${entry.id}" (first on row ${first})`);
      else seen.set(entry.id, line);
    }
    return entry;
  });
  if (problems.length > 0) {
    throw new Error(`Invalid outcomes CSV (${problems.length} problem(s)):\n- ${problems.join('\n- ')}`);
  }
  return entries;
}
