'use client';
import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal dialog on the native <dialog> element: focus moves into it, Escape closes it, and the
 * page behind it is inert.
 */
export function Dialog({
  open,
  onClose,
  title,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className="m-auto w-full max-w-md rounded-lg border border-line bg-panel p-0 text-text shadow-2xl backdrop:bg-black/60"
    >
      {open ? (
        <div className="p-6">
          <h2 id={titleId} className="text-lg font-semibold">
            {title}
          </h2>
          <div className="mt-3">{children}</div>
        </div>
      ) : null}
    </dialog>
  );
}

/** A dialog form's Cancel and submit buttons (the submit names the action). */
export function DialogButtons({
  pending,
  label,
  onCancel,
  tone = 'accent',
  disabled = false,
  pendingLabel = 'Working…',
}: {
  pending: boolean;
  label: string;
  onCancel: () => void;
  tone?: 'accent' | 'down';
  /** Not sendable as it stands (a field the dialog already refuses). */
  disabled?: boolean;
  pendingLabel?: string;
}) {
  return (
    <div className="flex justify-end gap-2">
      <button
        type="button"
        onClick={onCancel}
        className="rounded border border-line px-4 py-2 text-sm hover:border-muted"
      >
        Cancel
      </button>
      <button
        type="submit"
        disabled={pending || disabled}
        className={`rounded px-4 py-2 text-sm font-semibold hover:brightness-110 disabled:opacity-60 ${tone === 'down' ? 'bg-down text-on-fill' : 'bg-accent text-on-accent'}`}
      >
        {pending ? pendingLabel : label}
      </button>
    </div>
  );
}
