/** An accessible figures table (real caption, column and row headers), optionally sortable by any column. */
import { useState, type ReactNode } from 'react';
import type { CsvCell } from '../../../src-main/core/csv.ts';

export interface Column {
  label: string;
  /** Right-aligned, tabular figures, sorted as numbers. */
  numeric?: boolean;
  /** How a cell is shown (the CSV keeps the raw value). */
  format?: (value: CsvCell) => string;
}

export interface TableData {
  caption: string;
  columns: Column[];
  /** The first cell of each row is its header (th scope="row"). */
  rows: CsvCell[][];
}

const numberFormat = new Intl.NumberFormat('en-GB');

export function formatCell(value: CsvCell, column: Column): string {
  if (column.format) return column.format(value);
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return numberFormat.format(value);
  return String(value);
}

export function percent(value: CsvCell): string {
  return typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : '—';
}

interface DataTableProps {
  table: TableData;
  sortable?: boolean;
  /** Extra content under the table (e.g. a note about unknowns). */
  footer?: ReactNode;
  className?: string;
}

export function DataTable({ table, sortable = false, footer, className }: DataTableProps) {
  const [sort, setSort] = useState<{ column: number; descending: boolean } | null>(null);
  const rows = sort ? [...table.rows].sort((a, b) => compare(a[sort.column], b[sort.column]) * (sort.descending ? -1 : 1)) : table.rows;
  return (
    <div className={`table-scroll ${className ?? ''}`} tabIndex={0} role="region" aria-label={`${table.caption} (table)`}>
      <table className="data-table figures-table">
        <caption>{table.caption}</caption>
        <thead>
          <tr>
            {table.columns.map((column, i) => (
              <th
                key={column.label}
                scope="col"
                className={column.numeric ? 'num' : undefined}
                aria-sort={sort?.column === i ? (sort.descending ? 'descending' : 'ascending') : undefined}
              >
                {sortable ? (
                  <button
                    type="button"
                    className="sort-button"
                    onClick={() => setSort((s) => ({ column: i, descending: s?.column === i ? !s.descending : Boolean(column.numeric) }))}
                  >
                    {column.label}
                    <span aria-hidden="true">{sort?.column === i ? (sort.descending ? ' ▼' : ' ▲') : ' ↕'}</span>
                  </button>
                ) : (
                  column.label
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={table.columns.length}>No records match these filters.</td>
            </tr>
          ) : (
            rows.map((row, r) => (
              <tr key={r}>
                {row.map((cell, c) =>
                  c === 0 ? (
                    <th key={c} scope="row">
                      {formatCell(cell, table.columns[c]!)}
                    </th>
                  ) : (
                    <td key={c} className={table.columns[c]!.numeric ? 'num' : undefined}>
                      {formatCell(cell, table.columns[c]!)}
                    </td>
                  ),
                )}
              </tr>
            ))
          )}
        </tbody>
      </table>
      {footer}
    </div>
  );
}

function compare(a: CsvCell, b: CsvCell): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return String(a).localeCompare(String(b), 'en-GB', { numeric: true });
}
