'use client';
import { useEffect, useState } from 'react';
import { readTheme, THEME_COOKIE, THEMES, type ThemeChoice } from '@/lib/theme';

const LABEL: Record<ThemeChoice, string> = { system: 'System', light: 'Light', dark: 'Dark' };
const ICON: Record<ThemeChoice, string> = { system: '◐', light: '☀', dark: '☾' };

/** Announces a theme change to components that draw with theme colours (the chart). */
export const THEME_EVENT = 'lab-theme-change';

function apply(choice: ThemeChoice) {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
  document.cookie = `${THEME_COOKIE}=${choice}; path=/; max-age=31536000; samesite=lax`;
  window.dispatchEvent(new Event(THEME_EVENT));
}

/** Cycles System → Light → Dark; the button says which theme is on and what a press does. */
export function ThemeToggle({ initial }: { initial: ThemeChoice }) {
  const [choice, setChoice] = useState<ThemeChoice>(initial);
  useEffect(() => {
    setChoice(readTheme(document.documentElement.dataset.theme));
  }, []);
  const next = THEMES[(THEMES.indexOf(choice) + 1) % THEMES.length]!;
  return (
    <button
      type="button"
      onClick={() => {
        apply(next);
        setChoice(next);
      }}
      aria-label={`Theme: ${LABEL[choice]}. Switch to ${LABEL[next]}`}
      title={`Theme: ${LABEL[choice]} (switch to ${LABEL[next]})`}
      className="grid h-8 w-8 place-items-center rounded text-muted hover:bg-panel-2 hover:text-text"
    >
      <span aria-hidden>{ICON[choice]}</span>
    </button>
  );
}
