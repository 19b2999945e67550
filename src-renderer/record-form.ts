/**
 * A record's fields as a form holds them, derived from the record's one definition
 * (src-main/core/records): text and choices as strings ('' = nothing entered), yes/no questions as
 * booleans (null = not answered yet). A form lists its inputs; which fields exist, their defaults
 * and how they become the call's input come from here, so a new field needs only its input.
 */
import type { z } from 'zod';
import type { RecordDefinition, RecordField } from '../src-main/core/records/record.ts';

type Fields = Record<string, RecordField>;
type Stored<F extends Fields> = z.output<RecordDefinition<F>['stored']>;

/** One form value per field: a yes/no field is boolean | null, a field that may be empty holds '' for empty. */
export type FormValues<T> = {
  [K in keyof T]-?: T[K] extends boolean ? boolean | null : null extends T[K] ? Exclude<T[K], null> | '' : T[K];
};

const isYesNo = (field: RecordField) => field.stored.safeParse(true).success;
const mayBeEmpty = (field: RecordField) => field.stored.safeParse(null).success;

function mapFields<F extends Fields>(record: RecordDefinition<F>, value: (key: keyof F & string, field: RecordField) => unknown) {
  return Object.fromEntries(record.keys.map((key) => [key, value(key, record.fields[key]!)]));
}

/** A new record's form: each field's default from its definition, else empty (unanswered for yes/no); `start` overrides. */
export function blankForm<F extends Fields>(record: RecordDefinition<F>, start: Partial<FormValues<Stored<F>>> = {}): FormValues<Stored<F>> {
  const blank = mapFields(record, (key, field) => {
    if (key in start) return start[key as keyof typeof start];
    const fallback = field.input.safeParse(undefined);
    if (fallback.success && fallback.data !== null && fallback.data !== undefined) return fallback.data;
    return isYesNo(field) ? null : '';
  });
  return blank as FormValues<Stored<F>>;
}

/** A stored record (with any other properties, ignored) as its form. */
export function formFromRecord<F extends Fields>(record: RecordDefinition<F>, stored: Stored<F>): FormValues<Stored<F>> {
  const values = stored as Record<string, unknown>;
  return mapFields(record, (key) => values[key] ?? '') as FormValues<Stored<F>>;
}

/**
 * The form as the call's input: an empty field that may be empty is sent as null, an unanswered
 * yes/no question as missing (so the contract's own message asks for an answer), the rest as typed
 * (the contract trims and checks them).
 */
export function inputFromForm<F extends Fields>(record: RecordDefinition<F>, form: FormValues<Stored<F>>): z.input<RecordDefinition<F>['input']> {
  const values = form as Record<string, unknown>;
  return mapFields(record, (key, field) => {
    const value = values[key];
    if (value === null) return undefined;
    if (value === '' && mayBeEmpty(field)) return null;
    return value;
  }) as z.input<RecordDefinition<F>['input']>;
}
