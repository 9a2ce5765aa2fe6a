// Child process of streams.ts, standing in for the worker: the simulator (6 instruments, 10 steps
// a second, marks every second) -> PgNotifyPublisher, publishing what accumulated every
// `batchMs`. Each batch's publishedAt is stamped by the publisher (Date.now(), same machine clock
// as the clients). IPC: <- {type:'stop'} -> {type:'stopped', batches, ticks}.
import { PgNotifyPublisher, SimulatorSource, type MarketTick } from '@lab/market-data';

const [url, batchMsArg] = process.argv.slice(2);
const batchMs = Number(batchMsArg ?? 100);
if (!url || !(batchMs >= 10)) throw new Error('usage: producer.ts <database url> [batch ms]');

const publisher = new PgNotifyPublisher(url);
const sim = new SimulatorSource({ seed: 'bench-streams', ticksPerSecond: 10 });
let pending: MarketTick[] = [];
sim.onTick((t) => void pending.push(t));
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
  if (!batch.length) return;
  batches++;
  ticks += batch.length;
  // one publisher, in order: a batch waits for the previous one
  publishing = publishing
    .then(() => publisher.publish(batch))
    .catch((e: unknown) => console.error(`publish failed: ${String(e)}`));
}, batchMs);

process.on('message', (m: { type: string }) => {
  if (m.type !== 'stop') return;
  clearInterval(timer);
  process.send!({ type: 'stopped', batches, ticks });
  const exit = () => void publisher.close().finally(() => process.exit(0));
  void publishing.then(exit);
  setTimeout(() => process.exit(0), 5000).unref();
});
// the parent went away: stop too
process.on('disconnect', () => process.exit(0));
process.send!({ type: 'started' });
