/**
 * A large import into a small database skips the reports' summary triggers (src-main/db/sql/),
 * which cost about 1.5 ms per issue written, and fills the summary tables afresh from the base
 * tables at the end instead — with the same fill queries the migrations and tests use — all inside
 * the import's one transaction, so the triggers and summaries are back exactly as they were
 * defined whatever happens. A small import, or one into a large database (where a fresh fill
 * costs more than the triggers would), keeps the triggers.
 */
import { readSqlSources, type SqlSource } from '../sql/sql-source.ts';
import type { SqliteDatabase } from '../open.ts';

/** At least this many new issues before a fresh fill is worth it… */
const MIN_ISSUES = 500;
/** …and no more than this many existing issues per new one (a fill reads them all; a trigger costs ~30 times a row's share of a fill). */
const MAX_EXISTING_PER_NEW = 20;

/** The fill statements, or null when the SQL sources cannot be read (then the triggers are kept). */
function fills(): SqlSource['fills'] | null {
  try {
    const all = new Map<string, string>();
    for (const source of readSqlSources()) for (const [table, sql] of source.fills) all.set(table, sql);
    return all.size > 0 ? all : null;
  } catch {
    return null;
  }
}

export interface SummaryBypass {
  /** Fills the summary tables from the base tables and puts the triggers back (inside the same transaction). */
  restore(): void;
}

/** Inside an open transaction: drops the summary triggers when `newIssues` makes a fresh fill cheaper; null when it does not. */
export function bypassSummaryTriggers(sqlite: SqliteDatabase, newIssues: number): SummaryBypass | null {
  if (newIssues < MIN_ISSUES) return null;
  const existing = sqlite.prepare('SELECT COUNT(*) FROM client_issues').pluck().get() as number;
  if (existing > newIssues * MAX_EXISTING_PER_NEW) return null;
  const statements = fills();
  if (!statements) return null;
  const triggers = sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'report%' ORDER BY name").all() as {
    name: string;
    sql: string;
  }[];
  for (const t of triggers) sqlite.exec(`DROP TRIGGER "${t.name}"`);
  return {
    restore() {
      for (const [table, fill] of statements) {
        sqlite.exec(`DELETE FROM "${table}"`);
        sqlite.exec(fill);
      }
      for (const t of triggers) sqlite.exec(t.sql);
    },
  };
}
