/**
 * Personal-data classing where each column is defined: `classedTable` is drizzle's `sqliteTable`
 * whose every column is wrapped in `identifying`, `special`, `notPersonal` or `recordKeeping`
 * (the compiler refuses an unwrapped one), and which also says whose data the table holds. The
 * table it returns is the plain drizzle table; `classingOf(table)` gives the classing back.
 * Erasure, retention, subject access and the export checks read it through
 * db/protect/personal-data.ts. The classes are explained in core/protect/personal-data.ts.
 */
import type { BuildColumns } from 'drizzle-orm/column-builder';
import { getTableColumns, type SQL } from 'drizzle-orm';
import { sqliteTable, type SQLiteColumn, type SQLiteColumnBuilderBase, type SQLiteTable, type SQLiteTableExtraConfigValue } from 'drizzle-orm/sqlite-core';
import type { PersonalDataClass } from '../core/protect/personal-data.ts';

export interface ColumnClassing {
  class: PersonalDataClass;
  /** What the column holds, in words for a data protection lead (erasure report, subject access). */
  label: string;
  /** Identifying only: what a non-null value becomes when its person is erased (default: null; a NOT NULL column's default, else ''). */
  erasedAs?: string | SQL;
  /** Holds a users.id (who recorded or changed the row): subject access shows the staff member's name. */
  staff?: true;
  /** About the record rather than the person (ids, timestamps, who): not listed among what erasure keeps. */
  recordKeeping?: true;
  /** Internal to NeedMap's disclosure control (the record key): never shown, not even to the data subject. */
  internal?: true;
}

/** A column builder with its classing, as written in a `classedTable`. */
export interface Classed<B extends SQLiteColumnBuilderBase = SQLiteColumnBuilderBase> {
  column: B;
  classing: ColumnClassing;
}

export function identifying<B extends SQLiteColumnBuilderBase>(label: string, column: B, options: { erasedAs?: string | SQL } = {}): Classed<B> {
  return { column, classing: { class: 'identifying', label, ...options } };
}

export function special<B extends SQLiteColumnBuilderBase>(label: string, column: B): Classed<B> {
  return { column, classing: { class: 'special', label } };
}

export function notPersonal<B extends SQLiteColumnBuilderBase>(label: string, column: B, options: { internal?: true } = {}): Classed<B> {
  return { column, classing: { class: 'not-personal', label, ...options } };
}

/** Not personal: a record number, timestamp or "who" (`staff`) that is about the record, not the person. */
export function recordKeeping<B extends SQLiteColumnBuilderBase>(label: string, column: B, options: { staff?: true } = {}): Classed<B> {
  return { column, classing: { class: 'not-personal', label, recordKeeping: true, ...options } };
}

/**
 * Whose data a table's rows are. A client's rows are found from its `clientId` column (a column
 * holding clients.id), or `via` a column holding the id of a row of another client table.
 * `derived`: kept in step with other tables by triggers, so never written directly.
 * `retained`: why the rows outlive an erasure (the audit log).
 */
export type WhoseData =
  | { about: 'client'; clientId: string; derived?: string }
  | { about: 'client'; via: { column: string; table: string }; derived?: string }
  | { about: 'staff'; staffId: string }
  | { about: 'staff'; retained: string }
  | { about: 'nobody' };

export interface ClassedColumn {
  /** The property name in TypeScript ("firstName"); the SQL name for tables defined in SQL only. */
  key: string;
  /** The SQL column name ("first_name"). */
  name: string;
  classing: ColumnClassing;
  /** The drizzle column, for tables defined with drizzle. */
  column?: SQLiteColumn;
}

export interface TableClassing {
  /** The SQL table name. */
  name: string;
  whose: WhoseData;
  columns: ClassedColumn[];
  table?: SQLiteTable;
}

const classings = new WeakMap<SQLiteTable, TableClassing>();

type BuildersOf<T extends Record<string, Classed>> = { [K in keyof T]: T[K]['column'] };

/** `sqliteTable`, with every column classed and the table's data subject named (see the module comment). */
export function classedTable<TName extends string, TColumns extends Record<string, Classed>>(
  name: TName,
  whose: WhoseData,
  columns: TColumns,
  extraConfig?: (self: BuildColumns<TName, BuildersOf<TColumns>, 'sqlite'>) => SQLiteTableExtraConfigValue[],
) {
  const builders = Object.fromEntries(Object.entries(columns).map(([key, c]) => [key, c.column])) as BuildersOf<TColumns>;
  const table = sqliteTable(name, builders, extraConfig);
  const built = getTableColumns(table) as Record<string, SQLiteColumn>;
  classings.set(table, {
    name,
    whose,
    table,
    columns: Object.entries(columns).map(([key, c]) => ({ key, name: built[key]!.name, classing: c.classing, column: built[key] })),
  });
  return table;
}

/** The classing given with a table's definition; throws for a table made without `classedTable`. */
export function classingOf(table: SQLiteTable): TableClassing {
  const found = classings.get(table);
  if (!found) throw new Error('This table was not defined with classedTable, so its columns have no personal-data class.');
  return found;
}

/** Classing for a table that exists only in SQL (kept by triggers): its columns by SQL name. */
export function sqlTableClassing(name: string, whose: WhoseData, columns: Record<string, ColumnClassing>): TableClassing {
  return { name, whose, columns: Object.entries(columns).map(([key, classing]) => ({ key, name: key, classing })) };
}
