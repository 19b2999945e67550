/**
 * One definition per record. Each field says, once, what is stored and how what a person enters
 * is checked (and normalised), so the contract, the handlers, the database layer, the demo
 * generator and the form all take their types and schemas from one list. The drizzle table that
 * stores the record (src-main/db/schema.ts) sits beside the database code; tests/records checks at
 * compile time that the two agree. Pure (zod only): the renderer imports these modules.
 */
import { z } from 'zod';

export interface RecordField<Stored extends z.ZodType = z.ZodType, Input extends z.ZodType = z.ZodType> {
  /** What is stored and read back: a plain schema, used to check what handlers return. */
  stored: Stored;
  /** How input is checked and normalised, with the messages a form shows; its output fits `stored`. */
  input: Input;
  /** 'date': an ISO date (YYYY-MM-DD), so a spreadsheet import reads it from the forms people type (core/import/dates.ts). */
  format?: 'date';
}

/** A field: what is stored, and how input for it is checked (whose output must be storable: checked by the compiler). */
export function field<S extends z.ZodType, I extends z.ZodType<z.output<S>>>(stored: S, input: I, options: { format?: 'date' } = {}): RecordField<S, I> {
  return { stored, input, ...options };
}

type Fields = Record<string, RecordField>;
type StoredShape<F extends Fields> = { [K in keyof F]: F[K]['stored'] };
type InputShape<F extends Fields> = { [K in keyof F]: F[K]['input'] };

export interface RecordDefinition<F extends Fields> {
  fields: F;
  /** The field names, in their order of definition. */
  keys: readonly (keyof F & string)[];
  /** The fields as stored (no refinements, so it can be picked from and extended). */
  stored: z.ZodObject<StoredShape<F>>;
  /** The fields as entered (no cross-field rules: a record module adds those where it exports its input schema). */
  input: z.ZodObject<InputShape<F>>;
}

export function defineRecord<F extends Fields>(fields: F): RecordDefinition<F> {
  const keys = Object.keys(fields) as (keyof F & string)[];
  const shape = (part: keyof RecordField) => Object.fromEntries(keys.map((key) => [key, fields[key]![part]]));
  return {
    fields,
    keys,
    stored: z.object(shape('stored')) as z.ZodObject<StoredShape<F>>,
    input: z.object(shape('input')) as z.ZodObject<InputShape<F>>,
  };
}

type Stored<F extends Fields> = z.output<RecordDefinition<F>['stored']>;
type EmptiableKeys<T> = { [K in keyof T]-?: null extends T[K] ? K : never }[keyof T];

/** Null for every field that may be empty: a start for code that fills a record (the demo), so an optional new field needs nothing there. */
export function emptyFields<F extends Fields>(record: RecordDefinition<F>): { [K in EmptiableKeys<Stored<F>>]: null } {
  const keys = record.keys.filter((key) => record.fields[key]!.stored.safeParse(null).success);
  return Object.fromEntries(keys.map((key) => [key, null])) as { [K in EmptiableKeys<Stored<F>>]: null };
}

/** Exactly `keys` of `row` (e.g. a schema's keys, `Schema.keyof().options`). */
export function pickKeys<Row extends object, K extends keyof Row & string>(row: Row, keys: readonly K[]): Pick<Row, K> {
  return Object.fromEntries(keys.map((key) => [key, row[key]])) as Pick<Row, K>;
}

/** Exactly a record's fields, taken from a row that holds them among others (e.g. a database row). */
export function pickFields<F extends Fields, Row extends { [K in keyof F]: unknown }>(record: RecordDefinition<F>, row: Row): { [K in keyof F]: Row[K] } {
  return pickKeys(row, record.keys) as { [K in keyof F]: Row[K] };
}
