/**
 * The dry run: a sheet read under a mapping into the import plan and its report, against the
 * clients already in the database (the duplicate check's pool) — nothing is written. What the
 * user chose (columns, issue answers) is kept in settings for the next import.
 */
import { inArray, or } from 'drizzle-orm';
import { z } from 'zod';
import { normaliseExternalId, type PersonForMatching } from '../../core/duplicates.ts';
import { phraseKey, matchPhrases, type PhraseMatch } from '../../core/import/issue-phrases.ts';
import { choicesToSave, columnsFor, NOT_AN_ISSUE, type ImportMapping, type SavedChoices } from '../../core/import/mapping.ts';
import { planImport, type ImportPlan } from '../../core/import/plan.ts';
import { buildReport, type ImportReport } from '../../core/import/report.ts';
import { readRows } from '../../core/import/rows.ts';
import { cellText, type Sheet } from '../../core/import/values.ts';
import type { Taxonomy } from '../../core/taxonomy.ts';
import { readSetting, writeSetting } from '../geo/settings.ts';
import type { CaseDb } from '../open.ts';
import { clients } from '../schema.ts';

export interface PreparedImport {
  sheet: Sheet;
  columns: Record<string, string>;
  phrases: PhraseMatch[];
  plan: ImportPlan;
  report: ImportReport;
}

const SAVED_KEY = 'import.savedChoices';
const SavedChoicesSchema = z.object({ columns: z.record(z.string(), z.string()), issues: z.record(z.string(), z.string()) });

export function readSavedChoices(db: CaseDb): SavedChoices {
  const parsed = SavedChoicesSchema.safeParse(readSetting(db, SAVED_KEY));
  return parsed.success ? parsed.data : { columns: {}, issues: {} };
}

/** Remembers the columns and issue answers of an import (called when one is written). */
export function saveChoices(db: CaseDb, prepared: PreparedImport): void {
  const answers = Object.fromEntries(prepared.phrases.filter((p) => p.chosen !== null).map((p) => [p.phrase, p.chosen!]));
  writeSetting(db, SAVED_KEY, choicesToSave(prepared.columns, answers, readSavedChoices(db)));
}

/** Existing clients who share a date of birth or an external ID with someone in the sheet: who the duplicate check on entry would compare. */
export function duplicatePool(db: CaseDb, people: { dateOfBirth: string; externalId: string | null }[]): PersonForMatching[] {
  const dobs = [...new Set(people.map((p) => p.dateOfBirth))];
  const ids = [...new Set(people.flatMap((p) => (p.externalId ? [normaliseExternalId(p.externalId)] : [])))];
  const found = new Map<number, PersonForMatching>();
  const columns = {
    id: clients.id,
    firstName: clients.firstName,
    lastName: clients.lastName,
    dateOfBirth: clients.dateOfBirth,
    externalId: clients.externalId,
  };
  const CHUNK = 500;
  for (let i = 0; i < Math.max(dobs.length, ids.length); i += CHUNK) {
    const d = dobs.slice(i, i + CHUNK);
    const x = ids.slice(i, i + CHUNK);
    const where = or(d.length ? inArray(clients.dateOfBirth, d) : undefined, x.length ? inArray(clients.externalId, x) : undefined);
    for (const row of db.select(columns).from(clients).where(where).all()) found.set(row.id, row);
  }
  return [...found.values()];
}

/** The dry run of `sheet` under `mapping` (nothing is written). */
export function prepareImport(db: CaseDb, sheet: Sheet, mapping: ImportMapping, taxonomy: Taxonomy, today?: Date): PreparedImport {
  const saved = readSavedChoices(db);
  const columns = columnsFor(sheet.headers, mapping, saved);
  const issueColumn = sheet.headers.findIndex((h) => columns[h] === 'issue.issueCode');
  const cells = issueColumn < 0 ? [] : sheet.rows.map((r) => cellText(r.cells[issueColumn] ?? null)).filter((t) => t !== '');
  const known = new Set(taxonomy.issues.map((i) => i.code));
  const phrases = matchPhrases(cells, taxonomy, { ...saved.issues, ...mapping.issues }).map((p) =>
    p.chosen !== null && p.chosen !== NOT_AN_ISSUE && !known.has(p.chosen) ? { ...p, chosen: null } : p,
  );
  const chosen = new Map(phrases.map((p) => [phraseKey(p.phrase), p.chosen]));
  const rows = readRows(sheet, columns, mapping, taxonomy, chosen, today);
  const plan = planImport(
    rows.records,
    duplicatePool(
      db,
      rows.records.map((r) => r.client),
    ),
    mapping,
  );
  return { sheet, columns, phrases, plan, report: buildReport(sheet, columns, rows, plan, phrases) };
}
