/** Whether an imported bundle's period makes sense, beyond what its schema and signature say (pure). */
import { currentMonth, MAX_EXPORT_MONTHS, monthIndex, monthsBetween, quartersOf } from '../bundle/period.ts';
import type { BundlePayload } from '../bundle/schema.ts';

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Why the period is not sane, or null. `now` decides which months are over. */
export function bundlePeriodProblem(payload: BundlePayload, now: Date): string | null {
  const { from, to, months, quarters } = payload.period;
  if (monthIndex(from) > monthIndex(to)) return `the period starts (${from}) after it ends (${to})`;
  if (monthIndex(to) - monthIndex(from) + 1 > MAX_EXPORT_MONTHS) return `the period is longer than ${MAX_EXPORT_MONTHS} months`;
  if (!sameList(months, monthsBetween(from, to))) return `its list of months does not match ${from} to ${to}`;
  const expectedQuarters = quartersOf(months);
  if (
    !sameList(
      quarters.map((q) => `${q.quarter}:${q.months.join(',')}`),
      expectedQuarters.map((q) => `${q.quarter}:${q.months.join(',')}`),
    )
  ) {
    return `its quarters do not match its months`;
  }
  if (monthIndex(to) >= monthIndex(currentMonth(now))) return `it covers ${to}, which is not over yet`;
  const created = Date.parse(payload.createdAt);
  const periodEnd = Date.parse(`${nextMonthStart(to)}T00:00:00Z`);
  if (created < periodEnd) return `it was created (${payload.createdAt}) before its last month ${to} had ended`;
  if (created > now.getTime() + 24 * 3600 * 1000) return `it claims to be created in the future (${payload.createdAt})`;

  const monthSet = new Set(months);
  const quarterSet = new Set(quarters.map((q) => q.quarter));
  for (const table of payload.tables) {
    const m = table.dimensions.indexOf('month');
    const q = table.dimensions.indexOf('quarter');
    for (const cell of table.cells) {
      if (cell.key.length !== table.dimensions.length)
        return `table ${table.id} has a cell with ${cell.key.length} values for ${table.dimensions.length} dimensions`;
      if (m >= 0 && !monthSet.has(cell.key[m]!)) return `table ${table.id} has a cell for ${cell.key[m]}, outside ${from} to ${to}`;
      if (q >= 0 && !quarterSet.has(cell.key[q]!)) return `table ${table.id} has a cell for ${cell.key[q]}, outside the period's quarters`;
    }
  }
  for (const row of payload.matchKeys?.rows ?? []) {
    if (!quarterSet.has(row.quarter)) return `a match-key row is for ${row.quarter}, outside the period's quarters`;
    if (row.keys.length !== payload.matchKeys!.keyTypes.length)
      return `a match-key row has ${row.keys.length} keys for ${payload.matchKeys!.keyTypes.length} key types`;
  }
  return null;
}

function nextMonthStart(month: string): string {
  const next = monthIndex(month) + 1;
  return `${String(Math.floor(next / 12)).padStart(4, '0')}-${String((next % 12) + 1).padStart(2, '0')}-01`;
}
