'use client';
import { useId, useState, type InputHTMLAttributes, type ReactNode } from 'react';

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
}

/** A labelled input with its hint and its error next to it, wired with aria-describedby. */
export function Field({ label, error, hint, className, type, ...input }: FieldProps) {
  const id = useId();
  const [reveal, setReveal] = useState(false);
  const isPassword = type === 'password';
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy =
    [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className="mb-1.5 block text-sm font-medium">
        {label}
      </label>
      <div className="relative">
        <input
          id={id}
          type={isPassword && reveal ? 'text' : type}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          className={`w-full rounded border bg-bg px-3 py-2 text-sm outline-none transition-colors placeholder:text-muted/60 focus:border-accent ${
            error ? 'border-down' : 'border-line'
          } ${isPassword ? 'pr-16' : ''}`}
          {...input}
        />
        {isPassword ? (
          // Its name stays "Show"/"Hide" (not "Show password") so the field's label stays unique.
          <button
            type="button"
            aria-controls={id}
            aria-pressed={reveal}
            onClick={() => setReveal((r) => !r)}
            className="absolute inset-y-1 right-1 rounded px-2 text-xs text-muted hover:bg-panel-2 hover:text-text"
          >
            {reveal ? 'Hide' : 'Show'}
          </button>
        ) : null}
      </div>
      {hint && !error ? (
        <p id={hintId} className="mt-1.5 text-xs text-muted">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="mt-1.5 flex items-start gap-1 text-xs text-down">
          <span aria-hidden>⚠</span>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function FormAlert({
  children,
  tone = 'error',
}: {
  children: ReactNode;
  tone?: 'error' | 'success';
}) {
  if (!children) return null;
  return (
    <div
      role={tone === 'error' ? 'alert' : 'status'}
      className={`rounded border px-3 py-2 text-sm ${
        tone === 'error' ? 'border-down/40 bg-down/10 text-down' : 'border-up/40 bg-up/10 text-up'
      }`}
    >
      {children}
    </div>
  );
}

export function SubmitButton({
  pending,
  children,
  pendingText,
}: {
  pending: boolean;
  children: ReactNode;
  pendingText: string;
}) {
  return (
    <button
      type="submit"
      disabled={pending}
      aria-disabled={pending}
      className="w-full rounded bg-accent px-4 py-2.5 text-sm font-semibold text-on-accent transition hover:brightness-110 disabled:cursor-wait disabled:opacity-70"
    >
      {pending ? pendingText : children}
    </button>
  );
}
