/**
 * The payload checked as strictly as its signature: what the JSON Schema cannot say. A signed
 * bundle is only as honest as its signer, so a reader never lets the shape of the data decide
 * what is counted: each table has its fixed dimensions in their fixed order; every month or
 * quarter lies in the bundle's period and every quarter is whole; no value appears twice (no
 * cell or table is counted twice); every table is complete over its universe; counts are
 * bounded integers; the timestamp is a real one. Each problem has its own reason code
 * (docs/bundle-format.md §1). Pure: no I/O.
 */
import type { z } from 'zod';
import { DISCLOSURE_POLICIES } from './disclosure.ts';
import { MAX_EXPORT_MONTHS, monthIndex, monthsBetween, quartersOf } from './period.ts';
import {
  DIMENSION_PATTERNS,
  IMD_DECILE_BAND_VALUES,
  MAX_COUNT,
  MAX_TABLE_CELLS,
  OUTCOME_VALUES,
  TABLE_IDS,
  TABLE_SPECS,
  universeSize,
  type BundlePayload,
  type BundleTable,
  type DimensionName,
} from './schema.ts';
import { isoSeconds } from '../timestamps.ts';

export type PayloadProblemReason =
  | 'unknown-field'
  | 'invalid-payload'
  | 'invalid-timestamp'
  | 'invalid-period'
  | 'unknown-disclosure-policy'
  | 'duplicate-table'
  | 'missing-table'
  | 'wrong-dimensions'
  | 'invalid-value'
  | 'duplicate-cell'
  | 'outside-period'
  | 'partial-quarter'
  | 'incomplete-table'
  | 'oversized-table'
  | 'count-out-of-range'
  | 'duplicate-row';

export interface PayloadProblem {
  reason: PayloadProblemReason;
  message: string;
}

const problem = (reason: PayloadProblemReason, message: string): PayloadProblem => ({ reason, message });
const quote = (value: unknown) => JSON.stringify(value);

/** The reason code for the first thing zod found wrong, so a schema failure still says which attack it was. */
export function schemaProblem(issues: readonly z.core.$ZodIssue[]): PayloadProblem {
  const first = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;
  const where = first.path.join('.') || '(root)';
  if (first.code === 'unrecognized_keys') {
    return problem(
      'unknown-field',
      `${where}: unknown field${first.keys.length > 1 ? 's' : ''} ${first.keys.map(quote).join(', ')}; a reader accepts only the fields of the format.`,
    );
  }
  if (first.path[0] === 'createdAt') return problem('invalid-timestamp', `createdAt: ${first.message}`);
  const isCount = first.path[0] === 'tables' && first.path.some((p) => p === 'people' || p === 'presentations');
  if (isCount) return problem('count-out-of-range', `${where}: a count is a whole number from 0 to ${MAX_COUNT}, or "suppressed".`);
  return problem('invalid-payload', `${where}: ${first.message}`);
}

/** A real instant written as YYYY-MM-DDThh:mm:ssZ (no 2026-02-30, no 25:00). */
export function isRealTimestamp(text: string): boolean {
  const time = Date.parse(text);
  return Number.isFinite(time) && isoSeconds(new Date(time)) === text;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Deep equality of plain JSON values (objects compared key by key, whatever their order). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function periodProblem(payload: BundlePayload): PayloadProblem | null {
  const { from, to, months, quarters } = payload.period;
  if (monthIndex(from) > monthIndex(to)) return problem('invalid-period', `the period starts (${from}) after it ends (${to}).`);
  if (monthIndex(to) - monthIndex(from) + 1 > MAX_EXPORT_MONTHS) return problem('invalid-period', `the period is longer than ${MAX_EXPORT_MONTHS} months.`);
  if (!sameList(months, monthsBetween(from, to))) return problem('invalid-period', `period.months does not list exactly the months ${from} to ${to}.`);
  const expected = quartersOf(months).map((q) => `${q.quarter}:${q.months.join(',')}`);
  if (
    !sameList(
      quarters.map((q) => `${q.quarter}:${q.months.join(',')}`),
      expected,
    )
  ) {
    return problem('invalid-period', 'period.quarters does not match its months.');
  }
  return null;
}

/** The universe values a dimension must hold exactly, when they are fixed by the period or the format. */
function requiredValues(dimension: DimensionName, payload: BundlePayload): readonly string[] | null {
  switch (dimension) {
    case 'month':
      return payload.period.months;
    case 'quarter':
      return payload.period.quarters.filter((q) => q.months.length === 3).map((q) => q.quarter);
    case 'imdDecileBand':
      return IMD_DECILE_BAND_VALUES;
    case 'outcome':
      return OUTCOME_VALUES;
    default:
      return null;
  }
}

function universeProblem(payload: BundlePayload, tableId: string, dimension: DimensionName, values: readonly string[]): PayloadProblem | null {
  const pattern = DIMENSION_PATTERNS[dimension];
  const where = `table ${tableId}, dimension ${dimension}`;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!pattern.test(v)) return problem('invalid-value', `${where}: ${quote(v)} is not a ${dimension} value.`);
    if (i > 0 && values[i - 1]! >= v) {
      return values[i - 1] === v
        ? problem('duplicate-cell', `${where}: ${quote(v)} appears twice, so each of its cells would be counted twice.`)
        : problem('invalid-payload', `${where}: values must be sorted (${quote(values[i - 1])} comes before ${quote(v)}).`);
    }
  }
  if (dimension === 'month' || dimension === 'quarter') {
    const inPeriod = new Set(dimension === 'month' ? payload.period.months : payload.period.quarters.map((q) => q.quarter));
    const partial = new Set(payload.period.quarters.filter((q) => q.months.length < 3).map((q) => q.quarter));
    for (const v of values) {
      if (!inPeriod.has(v)) return problem('outside-period', `${where}: ${v} is outside the bundle's period ${payload.period.from} to ${payload.period.to}.`);
      if (partial.has(v)) {
        return problem(
          'partial-quarter',
          `${where}: ${v} is only partly inside the period; quarter tables cover whole quarters only (a part-quarter is a month-level table).`,
        );
      }
    }
  }
  const required = requiredValues(dimension, payload);
  if (required && !sameList(values, required)) {
    const missing = required.filter((v) => !values.includes(v));
    return problem(
      'incomplete-table',
      `${where}: the table must cover ${missing.length ? `${missing.slice(0, 3).join(', ')} too` : `exactly ${required.join(', ')}`}.`,
    );
  }
  if (!required && !values.includes('unknown')) return problem('incomplete-table', `${where}: the universe must include "unknown".`);
  return null;
}

/**
 * The listed cells: each key inside the universe (a month or quarter outside it is outside the
 * period), in the universe's order with none twice, and none published as 0 for both counts (an
 * unlisted cell is that; listing it too would make two encodings of one table).
 */
function cellsProblem(table: BundleTable, dimensions: readonly DimensionName[]): PayloadProblem | null {
  const positions = table.universe.map((values) => new Map(values.map((v, i) => [v, i])));
  let previous = -1;
  for (const [i, cell] of table.cells.entries()) {
    const where = `table ${table.id}, cells[${i}]`;
    if (cell.key.length !== dimensions.length)
      return problem('wrong-dimensions', `${where} has ${cell.key.length} values for ${dimensions.length} dimensions.`);
    let index = 0;
    for (let d = 0; d < dimensions.length; d++) {
      const p = positions[d]!.get(cell.key[d]!);
      if (p === undefined) {
        const dimension = dimensions[d]!;
        return dimension === 'month' || dimension === 'quarter'
          ? problem('outside-period', `${where}: ${quote(cell.key[d])} is not a ${dimension} of the table (outside the bundle's period or not whole).`)
          : problem('invalid-value', `${where}: ${quote(cell.key[d])} is not in the table's ${dimension} universe.`);
      }
      index = index * table.universe[d]!.length + p;
    }
    if (index <= previous) {
      return index === previous
        ? problem('duplicate-cell', `${where} repeats the cell ${cell.key.map(quote).join(' × ')}: it would be counted twice.`)
        : problem('invalid-payload', `${where}: cells must be listed in the universe's order.`);
    }
    if (cell.people === 0 && cell.presentations === 0) return problem('invalid-payload', `${where}: a cell published as 0 for both counts is not listed.`);
    previous = index;
  }
  return null;
}

function tablesProblem(payload: BundlePayload): PayloadProblem | null {
  const ids = payload.tables.map((t) => t.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) return problem('duplicate-table', `table ${repeated} appears twice, so its counts would be added twice.`);
  const missing = TABLE_IDS.filter((id) => !ids.includes(id));
  if (missing.length) return problem('missing-table', `the bundle has no ${missing.join(', ')} table.`);
  if (!sameList(ids, TABLE_IDS)) return problem('invalid-payload', `tables must come in the order ${TABLE_IDS.join(', ')}.`);
  for (const table of payload.tables) {
    const spec = TABLE_SPECS[table.id];
    if (!sameList(table.dimensions, spec.dimensions) || table.universe.length !== spec.dimensions.length) {
      return problem(
        'wrong-dimensions',
        `table ${table.id} must have the dimensions ${spec.dimensions.join(', ')} in that order (it has ${table.dimensions.join(', ')}).`,
      );
    }
    for (let d = 0; d < spec.dimensions.length; d++) {
      const found = universeProblem(payload, table.id, spec.dimensions[d]!, table.universe[d]!);
      if (found) return found;
    }
    const size = universeSize(table.universe);
    if (size > MAX_TABLE_CELLS) return problem('oversized-table', `table ${table.id} spans ${size} cells; a reader accepts at most ${MAX_TABLE_CELLS}.`);
    const found = cellsProblem(table, spec.dimensions);
    if (found) return found;
    const periods = table.universe[spec.period]!.length;
    for (const [name, counts] of [
      ['totals.people', table.totals.people],
      ['totals.presentations', table.totals.presentations],
    ] as const) {
      if (counts.length !== periods) return problem('incomplete-table', `table ${table.id}: ${name} holds ${counts.length} counts for its ${periods} periods.`);
    }
  }
  return null;
}

function matchKeysProblem(payload: BundlePayload): PayloadProblem | null {
  const section = payload.matchKeys;
  if (!section) return null;
  const types = section.keyTypes;
  if (new Set(types).size !== types.length) return problem('duplicate-cell', 'matchKeys.keyTypes lists a key type twice.');
  const inPeriod = new Set(payload.period.quarters.map((q) => q.quarter));
  const partial = new Set(payload.period.quarters.filter((q) => q.months.length < 3).map((q) => q.quarter));
  let previous: string | null = null;
  for (const [i, row] of section.rows.entries()) {
    const where = `matchKeys.rows[${i}]`;
    if (!inPeriod.has(row.quarter)) return problem('outside-period', `${where} is for ${row.quarter}, outside the bundle's period.`);
    if (partial.has(row.quarter))
      return problem('partial-quarter', `${where} is for ${row.quarter}, only partly inside the period; match keys cover whole quarters only.`);
    if (!DIMENSION_PATTERNS.postcodeDistrict.test(row.district))
      return problem('invalid-value', `${where}: ${quote(row.district)} is not a postcode district.`);
    if (row.keys.length !== types.length) return problem('invalid-payload', `${where} has ${row.keys.length} keys for ${types.length} key types.`);
    const bad = row.keys.find((k) => k !== '' && !/^[A-Za-z0-9_-]{43}$/.test(k));
    if (bad !== undefined) return problem('invalid-value', `${where}: ${quote(bad)} is not a base64url HMAC-SHA256.`);
    // Rows are sorted; an identical row with a key is the same person twice (rows with no key at all are erased clients).
    const id = `${row.quarter}\u0000${row.district}\u0000${row.keys.join('\u0000')}`;
    if (previous !== null && previous >= id) {
      if (previous === id && row.keys.some((k) => k !== ''))
        return problem('duplicate-row', `${where} repeats the row before it: one person would be counted twice.`);
      if (previous > id) return problem('invalid-payload', `${where}: rows must be sorted by quarter, district and keys.`);
    }
    previous = id;
  }
  return null;
}

/** The first problem with a payload that already matches the schema, or null when it is sound. */
export function payloadProblem(payload: BundlePayload): PayloadProblem | null {
  if (!isRealTimestamp(payload.createdAt)) return problem('invalid-timestamp', `createdAt ${quote(payload.createdAt)} is not a real date and time.`);
  const known = DISCLOSURE_POLICIES[payload.disclosure.policy];
  if (!sameJson(payload.disclosure, known.description)) {
    return problem(
      'unknown-disclosure-policy',
      `the ${payload.disclosure.policy} policy's parameters or source differ from the published ones, so its numbers cannot be read as that policy's.`,
    );
  }
  return periodProblem(payload) ?? tablesProblem(payload) ?? matchKeysProblem(payload);
}
