// The baseline of the market fan-out: a minimal node:http SSE server on the same MarketFeed and
// the same event format (a snapshot first, then `id: seq` + `data: {snapshot, publishedAt,
// ticks}`), each batch serialised once per symbol filter and the same bytes written to every
// client of it. No hub, no slow-client handling, no Next: what the route-handler streams cost on
// top of the bare transport.
import http from 'node:http';
import type { MarketFeed, MarketTick } from '@lab/market-data';

export function rawSseServer(feed: MarketFeed): http.Server {
  const groups = new Map<
    string,
    { symbols: Set<string> | null; clients: Set<http.ServerResponse> }
  >();
  const pick = (symbols: Set<string> | null, ticks: readonly MarketTick[]) =>
    symbols ? ticks.filter((t) => symbols.has(t.symbol)) : [...ticks];
  feed.subscribe((u) => {
    for (const g of groups.values()) {
      const ticks = pick(g.symbols, u.ticks);
      if (!ticks.length || !g.clients.size) continue;
      const bytes = Buffer.from(
        `id: ${u.seq}\ndata: ${JSON.stringify({ snapshot: false, publishedAt: u.publishedAt, ticks })}\n\n`,
      );
      for (const res of g.clients) res.write(bytes);
    }
  });
  return http.createServer((req, res) => {
    const list = new URL(req.url ?? '/', 'http://x').searchParams.get('symbols');
    const key = list ? list.split(',').sort().join(',') : '*';
    let g = groups.get(key);
    if (!g)
      groups.set(
        key,
        (g = { symbols: list ? new Set(list.split(',')) : null, clients: new Set() }),
      );
    const group = g;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const now = Date.now();
    const snapshot = pick(group.symbols, feed.snapshot());
    res.write(
      `id: s${now}\ndata: ${JSON.stringify({ snapshot: true, publishedAt: now, ticks: snapshot })}\n\n`,
    );
    group.clients.add(res);
    req.on('close', () => group.clients.delete(res));
  });
}
