/** The messages between the report-reading pool (./read-pool.ts) and its workers (./read-worker.ts). */
import { RecordError } from '../../core/errors.ts';

export type ToReader =
  /** Open (or re-open) the read-only connection: `generation` names the main thread's connection it mirrors. */
  | { type: 'open'; generation: number; file: string; key: Uint8Array | string | null }
  | { type: 'read'; id: number; generation: number; name: string; input: unknown }
  /** The main thread's connection closed: close this one and forget the key. */
  | { type: 'release' };

export interface ErrorShape {
  name: string;
  message: string;
  stack?: string;
  /** A RecordError's code and field errors, so it comes back as the same RecordError. */
  code?: string;
  fieldErrors?: Record<string, string[]>;
}

export type FromReader =
  | { ready: true }
  | { id: number; ok: true; value: unknown }
  /** `unopened`: the worker has no connection for that generation (it could not open it). */
  | { id: number; ok: false; unopened?: boolean; error: ErrorShape };

export function errorShape(error: unknown): ErrorShape {
  if (error instanceof RecordError) return { name: 'RecordError', message: error.message, code: error.code, fieldErrors: error.fieldErrors };
  if (error instanceof Error) return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { name: 'Error', message: String(error) };
}

/** The error again, in the main thread: a RecordError as itself, anything else as an Error with the worker's stack. */
export function errorFromShape(shape: ErrorShape): Error {
  if (shape.name === 'RecordError' && shape.code) return new RecordError(shape.code as RecordError['code'], shape.message, shape.fieldErrors ?? {});
  const error = new Error(shape.message);
  error.name = shape.name;
  if (shape.stack) error.stack = shape.stack;
  return error;
}
