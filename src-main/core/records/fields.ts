/** Field schemas shared by every part of the contract, with the messages a form shows. */
import { z } from 'zod';
import { isIsoDate } from '../recording.ts';

export const isoDate = z.string().trim().refine(isIsoDate, { message: 'Enter a date as YYYY-MM-DD.' });

export const name = (label: string) =>
  z
    .string()
    .trim()
    .min(1, { message: `Enter the ${label}.` })
    .max(100, { message: `The ${label} is too long (100 characters at most).` });

export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { message: `Too long (${max} characters at most).` })
    .transform((v) => (v === '' ? null : v))
    .nullable()
    .default(null);

export const isoMonth = z
  .string()
  .trim()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'Enter a month as YYYY-MM.' });
