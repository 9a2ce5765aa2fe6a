import type { MarketStatus } from './types';

const LOOK: Record<MarketStatus, { label: string; dot: string; text: string; title: string }> = {
  live: {
    label: 'Live',
    dot: 'bg-up',
    text: 'text-up',
    title: 'Prices are streaming; orders can be filled.',
  },
  stale: {
    label: 'Stale — trading halted',
    dot: 'bg-accent',
    text: 'text-accent',
    title: 'The price feed went silent; no order is filled on a stale price.',
  },
  halted: {
    label: 'Halted — trading halted',
    dot: 'bg-down',
    text: 'text-down',
    title: 'Trading on this market is halted.',
  },
  connecting: {
    label: 'Connecting',
    dot: 'bg-muted animate-pulse',
    text: 'text-muted',
    title: 'Waiting for the price feed.',
  },
};

/** A market's feed status in words (colour is only a second cue). */
export function StatusBadge({
  status,
  compact = false,
}: {
  status: MarketStatus;
  compact?: boolean;
}) {
  const look = LOOK[status];
  return (
    <span
      title={look.title}
      className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-sm border border-line px-1.5 py-0.5 text-xs ${look.text} ${compact ? '' : 'bg-panel-2'}`}
    >
      <span aria-hidden className={`h-1.5 w-1.5 rounded-full ${look.dot}`} />
      {look.label}
    </span>
  );
}
