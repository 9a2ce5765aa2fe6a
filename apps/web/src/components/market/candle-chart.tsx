'use client';
import { useQuery } from '@tanstack/react-query';
import {
  CandlestickSeries,
  ColorType,
  createChart,
  createSeriesMarkers,
  CrosshairMode,
  HistogramSeries,
  LineStyle,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type MouseEventParams,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  addDecimal,
  compareDecimal,
  formatPrice,
  formatQuantity,
  stepDecimals,
  toChartNumber,
} from '@/lib/market-format';
import { useThemeColors } from '@/lib/use-theme-colors';
import { useTRPC } from '@/trpc/react';
import { useLiveStore, useLiveVenue } from './live-store';
import { CANDLE_INTERVALS, INTERVAL_MS, type CandleDto, type CandleInterval } from './types';

// Candles keep the exchange hues in both themes (graphics, not text).
const UP = '#0ecb81';
const DOWN = '#f6465d';
const UP_VOL = 'rgba(14, 203, 129, 0.32)';
const DOWN_VOL = 'rgba(246, 70, 93, 0.32)';

/** A horizontal line across the chart (the position's entry, its liquidation price). */
export interface ChartLine {
  price: string;
  title: string;
  tone: 'entry' | 'liquidation';
}

/** A fill of the trader's, drawn on the candle it happened in. */
export interface ChartFill {
  time: number;
  side: 'buy' | 'sell';
  price: string;
  quantity: string;
}

export interface ChartOverlays {
  lines: ChartLine[];
  fills: ChartFill[];
}
export const DEFAULT_INTERVAL: CandleInterval = '15m';
export const CANDLE_LIMIT = 500;

// The chart draws in the viewer's time zone: lightweight-charts shows timestamps as UTC, so bars
// are shifted by one fixed offset (a per-bar offset could reorder bars around a DST change).
const TZ_SHIFT_S = typeof window === 'undefined' ? 0 : -new Date().getTimezoneOffset() * 60;
const chartTime = (openTime: number) => (Math.floor(openTime / 1000) + TZ_SHIFT_S) as UTCTimestamp;

function toBars(c: CandleDto) {
  const time = chartTime(c.openTime);
  const open = toChartNumber(c.open);
  const close = toChartNumber(c.close);
  return {
    candle: { time, open, high: toChartNumber(c.high), low: toChartNumber(c.low), close },
    volume: { time, value: toChartNumber(c.volume), color: close >= open ? UP_VOL : DOWN_VOL },
  };
}

/** Candlestick chart with volume, an interval switcher and a last candle built from live trades. */
/** The browser's locale when Intl accepts it, else en-US. */
function supportedLocale(): string {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([navigator.language])[0] ?? 'en-US';
  } catch {
    return 'en-US';
  }
}

export function CandleChart({
  symbol,
  tickSize,
  lotSize,
  baseAsset,
  overlays,
  className = 'lg:col-span-2 xl:col-span-1',
}: {
  symbol: string;
  tickSize: string;
  lotSize: string;
  baseAsset: string;
  /** The trader's position lines and fills (the trade page). */
  overlays?: ChartOverlays;
  className?: string;
}) {
  const trpc = useTRPC();
  const colors = useThemeColors();
  const store = useLiveStore();
  const venue = useLiveVenue();
  const [interval, setChartInterval] = useState<CandleInterval>(DEFAULT_INTERVAL);
  const candles = useQuery({
    ...trpc.market.candles.queryOptions({
      symbol,
      interval,
      limit: CANDLE_LIMIT,
      ...(venue ? { venue } : {}),
    }),
    refetchOnWindowFocus: false,
  });

  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<IChartApi | null>(null);
  const candleRef = useRef<ISeriesApi<'Candlestick'> | null>(null);
  const volumeRef = useRef<ISeriesApi<'Histogram'> | null>(null);
  const markersRef = useRef<ISeriesMarkersPluginApi<Time> | null>(null);
  // The exact (string) candles by chart time, for the legend; the live one is last.
  const barsRef = useRef<Map<number, CandleDto>>(new Map());
  const lastRef = useRef<CandleDto | null>(null);
  const [legend, setLegend] = useState<CandleDto | null>(null);
  const hoverRef = useRef(false);

  useEffect(() => {
    const el = containerRef.current;
    if (!el) return;
    const chart = createChart(el, {
      autoSize: true,
      // the chart formats times with the browser's locale; a POSIX one ("en-US@posix") throws
      localization: { locale: supportedLocale() },
      layout: {
        fontSize: 11,
        fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
        attributionLogo: false,
      },
      rightPriceScale: { scaleMargins: { top: 0.08, bottom: 0.24 } },
      timeScale: {
        timeVisible: true,
        secondsVisible: false,
        rightOffset: 6,
      },
      crosshair: { mode: CrosshairMode.Normal },
    });
    const decimals = stepDecimals(tickSize);
    const candleSeries = chart.addSeries(CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      borderUpColor: UP,
      borderDownColor: DOWN,
      wickUpColor: UP,
      wickDownColor: DOWN,
      priceFormat: { type: 'price', precision: decimals, minMove: toChartNumber(tickSize) },
    });
    const volumeSeries = chart.addSeries(HistogramSeries, {
      priceScaleId: 'volume',
      priceFormat: { type: 'volume' },
      lastValueVisible: false,
      priceLineVisible: false,
    });
    chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.84, bottom: 0 } });
    const onMove = (p: MouseEventParams) => {
      const bar = p.time !== undefined ? barsRef.current.get(p.time as number) : undefined;
      hoverRef.current = !!bar;
      setLegend(bar ?? lastRef.current);
    };
    chart.subscribeCrosshairMove(onMove);
    chartRef.current = chart;
    candleRef.current = candleSeries;
    volumeRef.current = volumeSeries;
    markersRef.current = createSeriesMarkers(candleSeries, [], { zOrder: 'aboveSeries' });
    return () => {
      chart.unsubscribeCrosshairMove(onMove);
      chart.remove();
      chartRef.current = null;
      candleRef.current = null;
      volumeRef.current = null;
      markersRef.current = null;
    };
  }, [tickSize]);

  // Theme: the canvas gets the theme's colours (and new ones when the theme changes).
  useEffect(() => {
    chartRef.current?.applyOptions({
      layout: {
        background: { type: ColorType.Solid, color: colors.panel },
        textColor: colors.muted,
      },
      grid: { vertLines: { color: colors.line }, horzLines: { color: colors.line } },
      rightPriceScale: { borderColor: colors.line },
      timeScale: { borderColor: colors.line },
    });
  }, [colors, tickSize]);

  // The position's entry and liquidation price as lines, its fills as markers.
  const lines = overlays?.lines;
  useEffect(() => {
    const cs = candleRef.current;
    if (!cs || !lines?.length) return;
    const made: IPriceLine[] = lines.map((l) =>
      cs.createPriceLine({
        price: toChartNumber(l.price),
        color: l.tone === 'liquidation' ? colors.accent : colors.muted,
        lineWidth: l.tone === 'liquidation' ? 2 : 1,
        lineStyle: l.tone === 'liquidation' ? LineStyle.Dashed : LineStyle.Solid,
        axisLabelVisible: true,
        title: l.title,
      }),
    );
    return () => {
      // On unmount or a new symbol the chart's own cleanup runs first and takes its lines with
      // it; removing them from the disposed series would throw "Object is disposed".
      if (candleRef.current !== cs) return;
      for (const line of made) cs.removePriceLine(line);
    };
  }, [lines, colors, tickSize]);
  const fills = overlays?.fills;
  useEffect(() => {
    const m = markersRef.current;
    if (!m) return;
    const step = INTERVAL_MS[interval];
    const markers: SeriesMarker<Time>[] = (fills ?? [])
      .map((f) => ({
        time: chartTime(Math.floor(f.time / step) * step),
        position: f.side === 'buy' ? ('belowBar' as const) : ('aboveBar' as const),
        shape: f.side === 'buy' ? ('arrowUp' as const) : ('arrowDown' as const),
        color: f.side === 'buy' ? UP : DOWN,
        text: `${f.side === 'buy' ? 'B' : 'S'} ${formatQuantity(f.quantity, lotSize)}`,
      }))
      .sort((a, b) => (a.time as number) - (b.time as number));
    m.setMarkers(markers);
  }, [fills, interval, lotSize, candles.data]);

  // History: replace the series whenever a new interval's candles arrive.
  const data = candles.data;
  useEffect(() => {
    const cs = candleRef.current;
    const vs = volumeRef.current;
    if (!cs || !vs || !data || data.interval !== interval) return;
    const bars = data.candles.map(toBars);
    cs.setData(bars.map((b) => b.candle));
    vs.setData(bars.map((b) => b.volume));
    barsRef.current = new Map(data.candles.map((c) => [chartTime(c.openTime) as number, c]));
    lastRef.current = data.candles.at(-1) ?? null;
    setLegend(lastRef.current);
    const ts = chartRef.current?.timeScale();
    ts?.applyOptions({ timeVisible: interval !== '1d' });
    // Show the most recent ~140 bars (all of them when there are fewer), with room on the right.
    const n = bars.length;
    if (ts && n)
      ts.setVisibleLogicalRange({ from: Math.max(0, n - 140) - (n < 140 ? 0.5 : 0), to: n + 5 });
  }, [data, interval]);

  // Live: fold each trade into the current interval's candle (or open the next one).
  const onTrade = useCallback(
    (t: { time: number; price: string; quantity: string }) => {
      const cs = candleRef.current;
      const vs = volumeRef.current;
      const last = lastRef.current;
      if (!cs || !vs || !last || data?.interval !== interval) return;
      const step = INTERVAL_MS[interval];
      const openTime = Math.floor(t.time / step) * step;
      if (openTime < last.openTime) return; // late print for a closed candle: the stored one has it
      let bar: CandleDto;
      if (openTime === last.openTime) {
        bar = {
          ...last,
          high: compareDecimal(t.price, last.high) === 1 ? t.price : last.high,
          low: compareDecimal(t.price, last.low) === -1 ? t.price : last.low,
          close: t.price,
          volume: addDecimal(last.volume, t.quantity) ?? last.volume,
          trades: last.trades + 1,
        };
      } else {
        bar = {
          openTime,
          open: t.price,
          high: t.price,
          low: t.price,
          close: t.price,
          volume: t.quantity,
          trades: 1,
        };
      }
      lastRef.current = bar;
      barsRef.current.set(chartTime(bar.openTime), bar);
      const b = toBars(bar);
      cs.update(b.candle);
      vs.update(b.volume);
      if (!hoverRef.current) setLegend(bar);
    },
    [data, interval],
  );
  useEffect(() => store.onTrade(symbol, onTrade), [store, symbol, onTrade]);

  const change = legend ? changeOf(legend) : null;
  return (
    <section
      aria-labelledby="chart-heading"
      className={`flex min-w-0 flex-col bg-panel ${className}`}
    >
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1 border-b border-line px-3 py-1.5">
        <h2 id="chart-heading" className="text-sm font-medium">
          Chart
        </h2>
        <div role="group" aria-label="Candle interval" className="flex items-center gap-0.5">
          {CANDLE_INTERVALS.map((iv) => (
            <button
              key={iv}
              type="button"
              aria-pressed={iv === interval}
              onClick={() => setChartInterval(iv)}
              className={`rounded-sm px-2 py-0.5 text-xs ${iv === interval ? 'bg-panel-2 font-semibold text-accent' : 'text-muted hover:text-text'}`}
            >
              {iv}
            </button>
          ))}
        </div>
        <p className="num ml-auto flex gap-3 text-[11px] text-muted">
          {legend ? (
            <>
              <span>
                O{' '}
                <span className={change! >= 0 ? 'text-up' : 'text-down'}>
                  {formatPrice(legend.open, tickSize)}
                </span>
              </span>
              <span>
                H{' '}
                <span className={change! >= 0 ? 'text-up' : 'text-down'}>
                  {formatPrice(legend.high, tickSize)}
                </span>
              </span>
              <span>
                L{' '}
                <span className={change! >= 0 ? 'text-up' : 'text-down'}>
                  {formatPrice(legend.low, tickSize)}
                </span>
              </span>
              <span>
                C{' '}
                <span className={change! >= 0 ? 'text-up' : 'text-down'}>
                  {formatPrice(legend.close, tickSize)}
                </span>
              </span>
              <span>
                Vol{' '}
                <span className="text-text">
                  {formatQuantity(legend.volume, lotSize)} {baseAsset}
                </span>
              </span>
            </>
          ) : (
            <span>&nbsp;</span>
          )}
        </p>
      </div>
      <div className="relative min-h-[340px] flex-1 sm:min-h-[470px]">
        <div
          ref={containerRef}
          role="img"
          aria-label={`${symbol} ${interval} candlestick chart with volume${
            overlays
              ? `${overlays.lines.length ? `, your ${overlays.lines.map((l) => l.title.toLowerCase()).join(' and ')} drawn as lines` : ''}${overlays.fills.length ? `, your ${overlays.fills.length} fill${overlays.fills.length === 1 ? '' : 's'} marked` : ''}`
              : ''
          }`}
          className="absolute inset-0"
        />
        <noscript>
          <p className="absolute inset-0 grid place-items-center text-sm text-muted">
            The chart needs JavaScript.
          </p>
        </noscript>
        {(candles.isPending || candles.isError || candles.data?.candles.length === 0) && (
          <div className="pointer-events-none absolute inset-0 grid place-items-center text-sm text-muted">
            {candles.isPending
              ? 'Loading candles…'
              : candles.isError
                ? `Candles could not be loaded: ${candles.error.message}`
                : 'No candles yet for this interval.'}
          </div>
        )}
      </div>
    </section>
  );
}

function changeOf(c: CandleDto): number {
  return compareDecimal(c.close, c.open) ?? 0;
}
