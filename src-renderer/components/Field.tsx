/** Labelled form controls with their error message tied to the control for screen readers. */
import { useId, type ReactNode } from 'react';

export type FieldErrors = Record<string, string[]>;

export function errorFor(errors: FieldErrors, ...paths: string[]): string | undefined {
  for (const path of paths) {
    const messages = errors[path];
    if (messages?.length) return messages.join(' ');
  }
  return undefined;
}

interface FieldProps {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}

export function Field({ label, error, hint, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field field-error' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <div className="hint" id={hintId}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div className="error-message" id={errorId} role="alert">
          {error}
        </div>
      ) : null}
      {children({ id, 'aria-invalid': Boolean(error), ...(describedBy ? { 'aria-describedby': describedBy } : {}) })}
    </div>
  );
}

export function ErrorSummary({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div className="error-summary" role="alert" tabIndex={-1}>
      {message}
    </div>
  );
}
