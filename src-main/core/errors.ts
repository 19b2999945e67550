/**
 * The error every layer throws for a refusal the caller can act on: a record not found, a conflict,
 * or invalid input with messages per field (`fieldErrors`, keyed by the input's path, so a form can
 * show each beside its input). `dispatch` (ipc/handlers.ts) turns it into a failed `CallResult`; the
 * CLI prints its message. Anything else is an internal error.
 */
export class RecordError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict' | 'invalid_input',
    message: string,
    readonly fieldErrors: Record<string, string[]> = {},
  ) {
    super(message);
    this.name = 'RecordError';
  }
}
