'use client';
import { useId, useRef, type ReactNode } from 'react';

export interface TabSpec<K extends string> {
  key: K;
  label: ReactNode;
}

/**
 * ARIA tabs: arrow keys, Home and End move between tabs (roving tabindex); the panel follows.
 * Controlled: the caller holds the selected key.
 */
export function Tabs<K extends string>({
  label,
  tabs,
  selected,
  onSelect,
  children,
  actions,
}: {
  label: string;
  tabs: ReadonlyArray<TabSpec<K>>;
  selected: K;
  onSelect: (k: K) => void;
  children: ReactNode;
  /** Controls on the tab bar's right (e.g. "Cancel all"). */
  actions?: ReactNode;
}) {
  const id = useId();
  const refs = useRef<Array<HTMLButtonElement | null>>([]);
  const index = Math.max(
    0,
    tabs.findIndex((t) => t.key === selected),
  );
  const move = (to: number) => {
    const n = (to + tabs.length) % tabs.length;
    onSelect(tabs[n]!.key);
    refs.current[n]?.focus();
  };
  return (
    <div>
      <div className="flex items-center gap-2 border-b border-line">
        <div
          role="tablist"
          aria-label={label}
          className="flex min-w-0 flex-1 gap-4 overflow-x-auto px-3"
          onKeyDown={(e) => {
            if (e.key === 'ArrowRight') move(index + 1);
            else if (e.key === 'ArrowLeft') move(index - 1);
            else if (e.key === 'Home') move(0);
            else if (e.key === 'End') move(tabs.length - 1);
            else return;
            e.preventDefault();
          }}
        >
          {tabs.map((t, i) => (
            <button
              key={t.key}
              ref={(el) => {
                refs.current[i] = el;
              }}
              type="button"
              role="tab"
              id={`${id}-tab-${t.key}`}
              aria-selected={t.key === selected}
              aria-controls={`${id}-panel`}
              tabIndex={t.key === selected ? 0 : -1}
              onClick={() => onSelect(t.key)}
              className={`-mb-px shrink-0 whitespace-nowrap border-b-2 py-2 text-sm ${
                t.key === selected
                  ? 'border-accent font-semibold text-text'
                  : 'border-transparent text-muted hover:text-text'
              }`}
            >
              {t.label}
            </button>
          ))}
        </div>
        {actions ? <div className="shrink-0 pr-3">{actions}</div> : null}
      </div>
      <div
        role="tabpanel"
        id={`${id}-panel`}
        aria-labelledby={`${id}-tab-${selected}`}
        tabIndex={0}
        className="focus-visible:outline-offset-[-2px]"
      >
        {children}
      </div>
    </div>
  );
}
