// Child process of bench.ts: N raw HTTP streaming clients of the tRPC `market.live` SSE endpoint.
// Each client parses the event stream itself (no EventSource, no JSON.parse of every event: the
// publish time and the tick count are read from the text). Latency of a delivered tick = receipt
// time at the client - the publishedAt of its batch (one clock: same machine).
// Protocol with the parent (IPC): -> {type:'ready', connectMs} when every client has its snapshot;
// <- {type:'window', from, to}; <- {type:'report'} -> {type:'report', ...stats}.
import http from 'node:http';

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
if (!url || !(count > 0)) throw new Error('usage: sse-clients.ts <url> <count>');
const send = (m: unknown) => process.send!(m);

let windowFrom = Infinity;
let windowTo = -Infinity;
const lat: number[] = []; // per event, ms
const weight: number[] = []; // ticks per event
const perClientEvents = new Array<number>(count).fill(0);
let snapshots = 0;
let errors = 0;
let closedEarly = 0;
const requests: http.ClientRequest[] = [];
const started = Date.now();
let cpuAtWindow = process.cpuUsage();
let wallAtWindow = Date.now();

function connect(i: number): void {
  const req = http.get(url!, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
    if (res.statusCode !== 200) {
      errors++;
      res.resume();
      return;
    }
    res.setEncoding('utf8');
    let buf = '';
    res.on('data', (chunk: string) => {
      const now = Date.now();
      buf += chunk;
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        if (block.startsWith('event:') || block.includes('\nevent:')) continue; // connected / ping
        const idMatch = /^id: ?(\S+)/m.exec(block);
        if (idMatch?.[1]?.startsWith('s')) {
          if (++snapshots === count) send({ type: 'ready', connectMs: Date.now() - started });
          continue;
        }
        const at = /"publishedAt":(\d+)/.exec(block);
        if (!at) continue;
        const publishedAt = Number(at[1]);
        if (publishedAt < windowFrom || publishedAt > windowTo) continue;
        let ticks = 0;
        for (let p = block.indexOf('"kind":'); p >= 0; p = block.indexOf('"kind":', p + 7)) ticks++;
        lat.push(now - publishedAt);
        weight.push(ticks);
        perClientEvents[i]!++;
      }
    });
    res.on('close', () => {
      if (windowTo === -Infinity || Date.now() < windowTo) closedEarly++;
    });
  });
  req.on('error', () => {
    errors++;
  });
  requests.push(req);
}

async function main() {
  // Connect in waves of 100 so the server's accept queue never overflows.
  for (let i = 0; i < count; i += 100) {
    for (let j = i; j < Math.min(count, i + 100); j++) connect(j);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function percentile(order: number[], cum: number[], total: number, q: number): number {
  const target = q * total;
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid]! >= target) hi = mid;
    else lo = mid + 1;
  }
  return lat[order[lo]!]!;
}

process.on('message', (m: { type: string; from?: number; to?: number }) => {
  if (m.type === 'window') {
    windowFrom = m.from!;
    windowTo = m.to!;
    cpuAtWindow = process.cpuUsage();
    wallAtWindow = Date.now();
  } else if (m.type === 'report') {
    const cpu = process.cpuUsage(cpuAtWindow);
    const order = lat.map((_, i) => i).sort((a, b) => lat[a]! - lat[b]!);
    const cum: number[] = [];
    let total = 0;
    for (const i of order) cum.push((total += weight[i]!));
    const pct = (q: number) => (order.length ? percentile(order, cum, total, q) : NaN);
    send({
      type: 'report',
      events: lat.length,
      ticks: total,
      p50: pct(0.5),
      p95: pct(0.95),
      p99: pct(0.99),
      max: order.length ? lat[order.at(-1)!] : NaN,
      minClientEvents: Math.min(...perClientEvents),
      maxClientEvents: Math.max(...perClientEvents),
      errors,
      closedEarly,
      cpuPct: ((cpu.user + cpu.system) / 1000 / (Date.now() - wallAtWindow)) * 100,
    });
    for (const r of requests) r.destroy();
    setTimeout(() => process.exit(0), 100).unref();
  }
});

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
