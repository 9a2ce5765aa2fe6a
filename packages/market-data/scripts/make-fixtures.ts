// Regenerates the sample replay files in fixtures/ from the simulator (seed "fixtures").
// Run: npx tsx packages/market-data/scripts/make-fixtures.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SimulatorSource } from '../src/simulator/source.ts';
import { aggregateTrades } from '../src/candles/aggregate.ts';
import type { TradeTick } from '../src/types.ts';

const dir = fileURLToPath(new URL('../fixtures/', import.meta.url));
const start = Date.UTC(2025, 0, 6, 14, 0, 0);
const sim = new SimulatorSource({ seed: 'fixtures', startTime: start, ticksPerSecond: 1 });
const trades: TradeTick[] = [];
sim.onTick((t) => {
  if (t.kind === 'trade') trades.push(t);
});
sim.advance(60 * 60_000);

const btc = aggregateTrades(
  trades.filter((t) => t.symbol === 'BTCUSDT' && t.time < start + 60 * 60_000),
  '1m',
);
const candleCsv = [
  '# BTCUSDT 1m candles, 2025-01-06 14:00-15:00 UTC (simulated, seed "fixtures")',
  'open_time,open,high,low,close,volume',
  ...btc.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume].join(',')),
].join('\n');
writeFileSync(`${dir}btcusdt-1m.csv`, `${candleCsv}\n`);

const eth = trades.filter((t) => t.symbol === 'ETHUSDT' && t.time < start + 20_000);
const tradeCsv = [
  'time,price,quantity,side',
  ...eth.map((t) => [t.time, t.price, t.quantity, t.side].join(',')),
].join('\n');
writeFileSync(`${dir}ethusdt-trades.csv`, `${tradeCsv}\n`);
console.log(`wrote ${btc.length} candles, ${eth.length} trades`);
