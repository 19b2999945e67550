/**
 * Every table of the case database with the personal-data class of each column, as given where
 * the column is defined (db/schema.ts; the summary tables kept by triggers below), and what
 * erasure, retention, subject access and the export checks need from it: which tables hold a
 * client's rows and how to find them, what an erased value becomes, what erasure removes and keeps.
 * tests/protect/personal-data.test.ts fails when a column of a real database has no class.
 */
import { eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { classingOf, sqlTableClassing, type ClassedColumn, type ColumnClassing, type TableClassing } from '../classing.ts';
import { schemaTables } from '../schema.ts';

const identifying = (label: string): ColumnClassing => ({ class: 'identifying', label });
const special = (label: string): ColumnClassing => ({ class: 'special', label });
const notPersonal = (label: string): ColumnClassing => ({ class: 'not-personal', label });
const recordKeeping = (label: string): ColumnClassing => ({ class: 'not-personal', label, recordKeeping: true });

const issueFactsDerived = 'one row per client issue, kept by triggers on client_issues, issue_status_events and clients';
const referralFactsDerived = 'one row per referral, kept by triggers on issue_status_events and client_issues (so an erased destination follows)';

/**
 * The report summary tables, which exist only in SQL (migrations 0002, 0007, 0008) and are kept in
 * step by triggers: copies of columns classed in schema.ts, with the same classes. Never written
 * directly: erasing the source columns updates them through those triggers.
 */
export const SUMMARY_TABLES: readonly TableClassing[] = [
  sqlTableClassing(
    'report_issue_facts',
    { about: 'client', clientId: 'client_id', derived: issueFactsDerived },
    {
      identified_on: notPersonal('date the issue was identified'),
      issue_id: recordKeeping('issue record number'),
      client_id: recordKeeping('client record number'),
      issue_code: special('issue presented'),
      category_key: special('issue category'),
      within_remit: notPersonal('within remit'),
      sector: notPersonal('postcode sector'),
      imd_decile: notPersonal('deprivation decile'),
      status: notPersonal('issue status'),
      status_changed_on: notPersonal('date of the last status change'),
      first_resolved_on: notPersonal('date first resolved'),
      prev_any_on: notPersonal('previous presentation (any issue)'),
      prev_category_on: notPersonal('previous presentation (same category)'),
      prev_code_on: notPersonal('previous presentation (same issue)'),
      prev_remit_any_on: notPersonal('previous presentation within remit (any issue)'),
      prev_remit_category_on: notPersonal('previous presentation within remit (same category)'),
      prev_remit_code_on: notPersonal('previous presentation within remit (same issue)'),
    },
  ),
  sqlTableClassing(
    'report_month_counts',
    { about: 'nobody' },
    {
      kind: notPersonal('what is counted'),
      scope: notPersonal('scope'),
      key1: notPersonal('first key (issue, category or sector)'),
      key2: notPersonal('second key'),
      month: notPersonal('month'),
      prev_month: notPersonal('month of the previous presentation'),
      n: notPersonal('count'),
    },
  ),
  sqlTableClassing(
    'report_referral_facts',
    { about: 'client', clientId: 'client_id', derived: referralFactsDerived },
    {
      referred_on: notPersonal('date referred'),
      event_id: recordKeeping('status change record number'),
      issue_id: recordKeeping('issue record number'),
      client_id: recordKeeping('client record number'),
      destination: identifying('referral destination (copy)'),
      issue_code: special('issue presented'),
      category_key: special('issue category'),
      within_remit: notPersonal('within remit'),
      sector: notPersonal('postcode sector'),
      ...Object.fromEntries(
        [
          'prev_issue_on',
          'prev_dest_any_on',
          'prev_dest_category_on',
          'prev_dest_code_on',
          'prev_dest_remit_any_on',
          'prev_dest_remit_category_on',
          'prev_dest_remit_code_on',
          'prev_any_on',
          'prev_category_on',
          'prev_code_on',
          'prev_remit_any_on',
          'prev_remit_category_on',
          'prev_remit_code_on',
        ].map((column) => [column, notPersonal('date of an earlier referral (for counting people once)')]),
      ),
    },
  ),
];

/** Every table of the case database with its classing: the drizzle schema's, then the summary tables. */
export function caseTables(): TableClassing[] {
  return [...Object.values(schemaTables).map((table) => classingOf(table)), ...SUMMARY_TABLES];
}

export interface DrizzleTableClassing extends TableClassing {
  table: SQLiteTable;
  columns: (ClassedColumn & { column: SQLiteColumn })[];
}

/** The tables holding clients' own rows, written by NeedMap (not the summaries kept by triggers). */
export function clientTables(): DrizzleTableClassing[] {
  return caseTables().filter((t): t is DrizzleTableClassing => t.whose.about === 'client' && !t.whose.derived && t.table !== undefined);
}

function tableNamed(name: string): DrizzleTableClassing {
  const found = clientTables().find((t) => t.name === name);
  if (!found) throw new Error(`No client table is called ${name}.`);
  return found;
}

function columnOf(t: DrizzleTableClassing, key: string): SQLiteColumn {
  const found = t.columns.find((c) => c.key === key);
  if (!found) throw new Error(`${t.name} has no column ${key}.`);
  return found.column;
}

/** Which rows of a client table are client `clientId`'s (following `via` to a parent table). */
export function rowsOfClient(t: DrizzleTableClassing, clientId: number): SQL {
  const whose = t.whose;
  if (whose.about !== 'client') throw new Error(`${t.name} does not hold clients' rows.`);
  if ('clientId' in whose) return eq(columnOf(t, whose.clientId), clientId);
  const parent = tableNamed(whose.via.table);
  return inArray(columnOf(t, whose.via.column), sql`(SELECT ${columnOf(parent, 'id')} FROM ${parent.table} WHERE ${rowsOfClient(parent, clientId)})`);
}

export function identifyingColumns<T extends TableClassing>(t: T): T['columns'] {
  return t.columns.filter((c) => c.classing.class === 'identifying');
}

/**
 * What an identifying column is set to when its person is erased: its `erasedAs` for a value that
 * was there (a null stays null); otherwise null, or for a NOT NULL column its default, else ''.
 */
export function erasedValue(c: ClassedColumn & { column: SQLiteColumn }): unknown {
  const { column, classing } = c;
  if (classing.erasedAs !== undefined) {
    return column.notNull ? classing.erasedAs : sql`CASE WHEN ${column} IS NULL THEN NULL ELSE ${classing.erasedAs} END`;
  }
  if (!column.notNull) return null;
  if (column.hasDefault && column.default !== undefined && typeof column.default !== 'object') return column.default;
  if (column.dataType === 'string') return '';
  throw new Error(`${c.name} is identifying and NOT NULL with no default: say what it becomes when erased (erasedAs).`);
}

function labelsOf(tables: TableClassing[], keep: (c: ColumnClassing) => boolean): string[] {
  return [...new Set(tables.flatMap((t) => t.columns.filter((c) => keep(c.classing)).map((c) => c.classing.label)))];
}

/** What erasing a client removes and keeps, in words, read from the classing of the client tables. */
export function erasureSummary(): { removed: string[]; kept: string[] } {
  const tables = clientTables();
  return {
    removed: labelsOf(tables, (c) => c.class === 'identifying'),
    kept: labelsOf(tables, (c) => c.class !== 'identifying' && !c.recordKeeping),
  };
}
