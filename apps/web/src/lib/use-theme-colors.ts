'use client';
// The theme's colours as the canvas chart needs them (it cannot read CSS variables itself),
// refreshed when the viewer switches theme or the system's preference changes.
import { useEffect, useState } from 'react';
import { THEME_EVENT } from '@/components/theme-toggle';

export interface ThemeColors {
  panel: string;
  line: string;
  text: string;
  muted: string;
  accent: string;
  up: string;
  down: string;
  dark: boolean;
}

const DARK: ThemeColors = {
  panel: '#161a1e',
  line: '#2b3139',
  text: '#eaecef',
  muted: '#929aa5',
  accent: '#f0b90b',
  up: '#2ebd85',
  down: '#ff707e',
  dark: true,
};

function read(): ThemeColors {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    panel: v('--color-panel', DARK.panel),
    line: v('--color-line', DARK.line),
    text: v('--color-text', DARK.text),
    muted: v('--color-muted', DARK.muted),
    accent: v('--color-accent', DARK.accent),
    up: v('--color-up', DARK.up),
    down: v('--color-down', DARK.down),
    dark: css.colorScheme !== 'light',
  };
}

export function useThemeColors(): ThemeColors {
  const [colors, setColors] = useState<ThemeColors>(DARK);
  useEffect(() => {
    const update = () => setColors(read());
    update();
    const media = window.matchMedia('(prefers-color-scheme: light)');
    media.addEventListener('change', update);
    window.addEventListener(THEME_EVENT, update);
    return () => {
      media.removeEventListener('change', update);
      window.removeEventListener(THEME_EVENT, update);
    };
  }, []);
  return colors;
}
