// The viewer's theme choice: 'system' follows prefers-color-scheme, else light or dark. Kept in a
// cookie so the server renders <html data-theme> itself (no flash of the wrong theme, no script).
export const THEME_COOKIE = 'lab-theme';
export const THEMES = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof THEMES)[number];

export function readTheme(value: string | undefined | null): ThemeChoice {
  return value === 'light' || value === 'dark' ? value : 'system';
}
