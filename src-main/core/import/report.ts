/**
 * The import report, the same for the dry run and the import itself: what would be (or was)
 * created, every refused row with its column, value and reason, ambiguous dates, the issue
 * phrases and their matches, and the groups of possible duplicates with their choices. The CLI
 * prints `reportText`; the import screen shows the same fields.
 */
import type { Sheet } from './values.ts';
import type { PhraseMatch } from './issue-phrases.ts';
import type { DuplicateGroup, ImportPlan, PlanCounts } from './plan.ts';
import { countPlan } from './plan.ts';
import type { AmbiguousDate, Refusal, RowsRead } from './rows.ts';
import { IGNORE_COLUMN } from './mapping.ts';
import { TARGETS_BY_KEY } from './targets.ts';

export interface ImportReport {
  sheet: string;
  sheetNames: string[];
  notes: string[];
  /** Header → target key ("ignore" for columns left out). */
  columns: Record<string, string>;
  rowsRead: number;
  rowsImported: number;
  rowsRefused: number;
  rowsSkipped: number;
  counts: PlanCounts;
  refusals: Refusal[];
  ambiguousDates: AmbiguousDate[];
  phrases: PhraseMatch[];
  duplicates: DuplicateGroup[];
  sameDetailsPeople: number;
}

export function buildReport(sheet: Sheet, columns: Record<string, string>, rows: RowsRead, plan: ImportPlan, phrases: PhraseMatch[]): ImportReport {
  const refusedRows = new Set(rows.refusals.map((r) => r.row)).size;
  const rowsRead = sheet.rows.length - rows.blankRows;
  return {
    sheet: sheet.name,
    sheetNames: sheet.sheetNames,
    notes: sheet.notes,
    columns,
    rowsRead,
    rowsRefused: refusedRows,
    rowsSkipped: plan.skippedRows.length,
    rowsImported: rowsRead - refusedRows - plan.skippedRows.length,
    counts: countPlan(plan),
    refusals: rows.refusals,
    ambiguousDates: rows.ambiguous,
    phrases,
    duplicates: plan.groups,
    sameDetailsPeople: plan.sameDetailsPeople,
  };
}

const quote = (text: string) => JSON.stringify(text);

/** The report as the CLI prints it. `outcome` says whether anything was written. */
export function reportText(report: ImportReport, outcome: 'dry-run' | 'imported' | 'nothing-imported', batchId?: number): string {
  const c = report.counts;
  const verb = outcome === 'imported' ? 'Created' : 'Would create';
  const lines = [
    `Sheet: ${report.sheet}${report.sheetNames.length > 1 ? ` (of ${report.sheetNames.map(quote).join(', ')})` : ''}`,
    ...report.notes.map((n) => `Note: ${n}`),
    'Columns:',
    ...Object.entries(report.columns).map(
      ([header, key]) => `  ${quote(header)} → ${key === IGNORE_COLUMN ? 'ignored' : `${TARGETS_BY_KEY.get(key)?.label ?? key} (${key})`}`,
    ),
    `Rows: ${report.rowsRead} read, ${report.rowsImported} ${outcome === 'imported' ? 'imported' : 'to import'}, ${report.rowsRefused} refused, ${report.rowsSkipped} skipped (duplicates).`,
    `${verb}: ${c.clientsCreated} clients, ${c.contacts} contacts, ${c.issues} issues, ${c.statusChanges} status changes` +
      (c.existingClients ? `; contacts added to ${c.existingClients} existing clients.` : '.'),
  ];
  if (report.sameDetailsPeople) lines.push(`${report.sameDetailsPeople} clients appear on more than one row (same details or client number): one client each.`);
  if (report.refusals.length) {
    lines.push('', `Refused (${report.rowsRefused} rows; row, column, value, reason):`);
    for (const r of report.refusals) lines.push(`  row ${r.row}\t${quote(r.column)}\t${quote(r.value)}\t${r.reason}`);
  }
  if (report.ambiguousDates.length) {
    lines.push('', `Ambiguous dates (${report.ambiguousDates.length}; read as shown, check them):`);
    for (const a of report.ambiguousDates)
      lines.push(`  row ${a.row}\t${quote(a.column)}\t${quote(a.value)}\tread as ${a.readAs} (could be ${a.otherReading})`);
  }
  if (report.phrases.length) {
    lines.push('', 'Issues (phrase → issue; rows):');
    for (const p of report.phrases) {
      const how = p.chosen === null ? 'NOT MATCHED' : p.chosen === p.proposed ? `${p.chosen} (${p.confidence})` : `${p.chosen} (chosen)`;
      lines.push(`  ${quote(p.phrase)} → ${how}; ${p.rows}`);
    }
  }
  if (report.duplicates.length) {
    lines.push('', 'Possible duplicates (group: choice):');
    for (const g of report.duplicates) {
      const people = g.people.map((p) => `${p.firstName} ${p.lastName} ${p.dateOfBirth} (rows ${p.rows.join(', ')})`).join('; ');
      const existing = g.existing.map((e) => `existing client ${e.id} ${e.firstName} ${e.lastName} ${e.dateOfBirth}`).join('; ');
      lines.push(`  ${g.id}: ${g.choice}${g.choice !== g.proposed ? ` (proposed ${g.proposed})` : ''} — ${people}${existing ? ` ↔ ${existing}` : ''}`);
    }
  }
  lines.push(
    '',
    outcome === 'dry-run'
      ? 'Dry run: nothing was written.'
      : outcome === 'imported'
        ? `Imported as batch ${batchId} (undo removes it whole).`
        : 'Nothing was imported (all or nothing, and rows were refused).',
  );
  return lines.join('\n') + '\n';
}
