// Child process of bench.ts, standing in for the worker: the simulator (6 instruments, 10 steps/s)
// -> CandleAggregator -> PgNotifyPublisher, publishing what accumulated every 100 ms.
// IPC: <- {type:'window', from, to}; <- {type:'stop'} -> {type:'stopped', batches, ticks} (in window).
import {
  CandleAggregator,
  PgNotifyPublisher,
  SimulatorSource,
  type MarketTick,
} from '../src/index.ts';

const [url] = process.argv.slice(2);
if (!url) throw new Error('usage: producer.ts <database url>');
const publisher = new PgNotifyPublisher(url);
const sim = new SimulatorSource({ seed: 'bench-live', ticksPerSecond: 10 });
const candles = new CandleAggregator();
let pending: MarketTick[] = [];
sim.onTick((t) => {
  if (t.kind === 'trade') candles.addTrade(t);
  pending.push(t);
});
let from = Infinity;
let to = -Infinity;
let batches = 0;
let ticks = 0;
let last = Date.now();
let publishing = Promise.resolve();
const timer = setInterval(() => {
  const now = Date.now();
  sim.advance(now - last);
  last = now;
  const batch = pending;
  pending = [];
  if (now >= from && now <= to) {
    batches++;
    ticks += batch.length;
  }
  publishing = publishing
    .then(() => publisher.publish(batch))
    .catch((e: Error) => console.error(`publish failed: ${e.message}`));
}, 100);

process.on('message', (m: { type: string; from?: number; to?: number }) => {
  if (m.type === 'window') {
    from = m.from!;
    to = m.to!;
  } else if (m.type === 'stop') {
    clearInterval(timer);
    process.send!({ type: 'stopped', batches, ticks });
    // Let queued publishes finish (bounded), then leave.
    const exit = () => void publisher.close().finally(() => process.exit(0));
    void publishing.then(exit);
    setTimeout(() => process.exit(0), 5000).unref();
  }
});
process.send!({ type: 'started' });
