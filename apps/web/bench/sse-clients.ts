// Child process of streams.ts: N raw HTTP clients of server-sent-event streams, each with its own
// path and headers (client address, session cookie), read from a JSON file. Each client parses the
// stream itself (no EventSource, no JSON.parse per event: the publish time is read from the text).
// A sample is one event delivered to one client: its receipt time minus the publishedAt of the
// tick batch behind it (market batches, account `figures` events; one machine, one clock).
// Snapshots are not samples. IPC: -> {type:'ready', connectMs, refused} once every client has its
// snapshot (or was refused); <- {type:'window', from, to}; <- {type:'report'} -> {type:'report',
// groups: {[group]: stats}}.
import fs from 'node:fs';
import http from 'node:http';

interface Target {
  path: string;
  headers: Record<string, string>;
  /** Label of the figures this client counts into. */
  group: string;
}

const [portArg, targetsFile] = process.argv.slice(2);
const port = Number(portArg);
if (!(port > 0) || !targetsFile) throw new Error('usage: sse-clients.ts <port> <targets.json>');
const targets = JSON.parse(fs.readFileSync(targetsFile, 'utf8')) as Target[];
const send = (m: unknown) => process.send!(m);

let windowFrom = Infinity;
let windowTo = -Infinity;
const lat = new Map<string, number[]>();
const perClient = new Array<number>(targets.length).fill(0);
let settled = 0;
let refused = 0;
let errors = 0;
let closedEarly = 0;
const statuses = new Map<number, number>();
const requests: http.ClientRequest[] = [];
const started = Date.now();
let cpuAtWindow = process.cpuUsage();
let wallAtWindow = Date.now();

const SNAPSHOT = /"snapshot":true|"type":"snapshot"/;
const PUBLISHED = /"publishedAt":(\d+)/;

function settle() {
  if (++settled === targets.length)
    send({ type: 'ready', connectMs: Date.now() - started, refused });
}

function connect(i: number): Promise<void> {
  const t = targets[i]!;
  return new Promise((resolve) => {
    let first = true;
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path: t.path,
        agent: false,
        headers: { accept: 'text/event-stream', ...t.headers },
      },
      (res) => {
        statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
        resolve();
        if (res.statusCode !== 200) {
          refused++;
          settle();
          res.resume();
          return;
        }
        const samples = lat.get(t.group) ?? [];
        lat.set(t.group, samples);
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          const now = Date.now();
          buf += chunk;
          let end: number;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            if (!block.includes('data:')) continue; // retry: / ping
            if (SNAPSHOT.test(block)) {
              if (first) settle();
              first = false;
              continue;
            }
            const at = PUBLISHED.exec(block);
            if (!at) continue;
            const publishedAt = Number(at[1]);
            if (publishedAt < windowFrom || publishedAt > windowTo) continue;
            samples.push(now - publishedAt);
            perClient[i]!++;
          }
        });
        res.on('close', () => {
          if (windowTo === -Infinity || Date.now() < windowTo) closedEarly++;
        });
      },
    );
    req.on('error', () => {
      errors++;
      resolve();
      if (first) settle();
      first = false;
    });
    requests.push(req);
  });
}

async function main() {
  // in waves of 50 connections, each wave answered before the next
  for (let i = 0; i < targets.length; i += 50) {
    const wave: Array<Promise<void>> = [];
    for (let j = i; j < Math.min(targets.length, i + 50); j++) wave.push(connect(j));
    await Promise.all(wave);
  }
}

const pct = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN;

process.on('message', (m: { type: string; from?: number; to?: number }) => {
  if (m.type === 'window') {
    windowFrom = m.from!;
    windowTo = m.to!;
    cpuAtWindow = process.cpuUsage();
    wallAtWindow = Date.now();
  } else if (m.type === 'report') {
    const cpu = process.cpuUsage(cpuAtWindow);
    const groups: Record<string, unknown> = {};
    for (const [group, xs] of lat) {
      const sorted = Float64Array.from(xs).sort();
      const arr = Array.from(sorted);
      const counts = targets.flatMap((t, i) => (t.group === group ? [perClient[i]!] : []));
      groups[group] = {
        clients: counts.length,
        samples: arr.length,
        p50: pct(arr, 0.5),
        p95: pct(arr, 0.95),
        p99: pct(arr, 0.99),
        max: arr.length ? arr[arr.length - 1] : NaN,
        minClientEvents: Math.min(...counts),
        maxClientEvents: Math.max(...counts),
      };
    }
    send({
      type: 'report',
      groups,
      errors,
      refused,
      closedEarly,
      statuses: Object.fromEntries(statuses),
      cpuPct: ((cpu.user + cpu.system) / 1000 / (Date.now() - wallAtWindow)) * 100,
    });
    for (const r of requests) r.destroy();
    setTimeout(() => process.exit(0), 100).unref();
  }
});
process.on('disconnect', () => process.exit(0));

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
