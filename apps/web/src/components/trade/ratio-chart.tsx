'use client';
// A margin ratio over time (percent), with the 100% line where the engine liquidates.
import {
  ColorType,
  createChart,
  LineSeries,
  LineStyle,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import type { RatioPoint } from '@/lib/liquidation-story';
import { useThemeColors } from '@/lib/use-theme-colors';

const TZ_SHIFT_S = typeof window === 'undefined' ? 0 : -new Date().getTimezoneOffset() * 60;

export function RatioChart({ points, label }: { points: RatioPoint[]; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const colors = useThemeColors();
  useEffect(() => {
    const el = ref.current;
    if (!el || !points.length) return;
    const chart = createChart(el, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: colors.panel },
        textColor: colors.muted,
        fontSize: 11,
        attributionLogo: false,
      },
      grid: { vertLines: { color: colors.line }, horzLines: { color: colors.line } },
      rightPriceScale: { borderColor: colors.line },
      timeScale: { borderColor: colors.line, timeVisible: true, secondsVisible: true },
    });
    // an infinite ratio (margin balance at or below zero) is drawn at the top of the scale
    const finite = points.filter((p) => p.ratio !== null).map((p) => p.ratio!);
    const top = Math.max(150, ...finite.map((r) => r * 100));
    const series = chart.addSeries(LineSeries, {
      color: colors.down,
      lineWidth: 2,
      pointMarkersVisible: true,
      priceFormat: {
        type: 'custom',
        formatter: (v: number) =>
          v >= top && points.some((p) => p.ratio === null) ? '∞' : `${v.toFixed(1)}%`,
      },
    });
    // one point per second at most (the chart needs increasing times)
    const seen = new Set<number>();
    const data = points.flatMap((p) => {
      const time = Math.floor(p.time / 1000) + TZ_SHIFT_S;
      if (seen.has(time)) return [];
      seen.add(time);
      return [{ time: time as UTCTimestamp, value: p.ratio === null ? top : p.ratio * 100 }];
    });
    series.setData(data);
    series.createPriceLine({
      price: 100,
      color: colors.accent,
      lineStyle: LineStyle.Dashed,
      lineWidth: 1,
      axisLabelVisible: true,
      title: 'Liquidation at 100%',
    });
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [points, colors]);
  return <div ref={ref} role="img" aria-label={label} className="h-64 w-full" />;
}
