'use client';
import { formatPrice } from '@/lib/market-format';
import styles from './live-price.module.css';

/**
 * A last price coloured by the direction of its last change, with an arrow as a second cue, that
 * flashes briefly on every change. Not a live region: prices change several times a second.
 */
export function LivePrice({
  value,
  dir,
  seq,
  tickSize,
  className = '',
  group = true,
}: {
  value: string | null;
  dir: -1 | 0 | 1;
  seq: number;
  tickSize: string;
  className?: string;
  group?: boolean;
}) {
  const tone = dir > 0 ? 'text-up' : dir < 0 ? 'text-down' : '';
  const flash = seq > 0 ? (dir > 0 ? styles.up : dir < 0 ? styles.down : '') : '';
  return (
    <span
      key={seq}
      className={`inline-flex items-baseline justify-end gap-1 rounded-sm px-0.5 ${tone} ${flash} ${className}`}
    >
      <span className="num">{formatPrice(value, tickSize, { group })}</span>
      <span aria-hidden className="inline-block w-[1em] text-center text-[0.75em]">
        {dir > 0 ? '▲' : dir < 0 ? '▼' : ''}
      </span>
      {dir !== 0 && <span className="sr-only">{dir > 0 ? '(up)' : '(down)'}</span>}
    </span>
  );
}

/** A signed change such as "+1.23%", green/red with an arrow. */
export function ChangeText({
  value,
  className = '',
}: {
  value: string | null;
  className?: string;
}) {
  if (!value) return <span className={`num text-muted ${className}`}>—</span>;
  const dir = value.startsWith('+') ? 1 : value.startsWith('-') ? -1 : 0;
  const tone = dir > 0 ? 'text-up' : dir < 0 ? 'text-down' : 'text-muted';
  return (
    <span className={`num ${tone} ${className}`}>
      <span aria-hidden className="mr-0.5 text-[0.75em]">
        {dir > 0 ? '▲' : dir < 0 ? '▼' : ''}
      </span>
      {value}
    </span>
  );
}
