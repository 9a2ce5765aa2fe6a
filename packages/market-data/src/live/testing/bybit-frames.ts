// Bybit v5 public linear behaviour for the fake exchange server: answers subscribe and JSON ping
// requests like the exchange, and streams tickers / publicTrade / orderbook.1 frames for the topics
// each connection subscribed to.
import type { FakeConnection, FrameGenerator } from './fake-exchange-server.ts';
import { DEFAULT_SPECS } from './binance-frames.ts';

/** Topics a connection subscribed to with {"op":"subscribe","args":[...]} messages. */
export function bybitSubscribedTopics(connection: FakeConnection): string[] {
  const topics: string[] = [];
  for (const text of connection.received) {
    try {
      const msg = JSON.parse(text) as { op?: unknown; args?: unknown };
      if (msg.op === 'subscribe' && Array.isArray(msg.args))
        topics.push(...msg.args.filter((a) => typeof a === 'string'));
    } catch {
      // not JSON: ignore, as the exchange would
    }
  }
  return topics;
}

/** `onClientMessage` handler replying to subscribe and ping requests in Bybit's format. */
export function bybitControlHandler(connection: FakeConnection, text: string): void {
  let msg: { op?: unknown; req_id?: unknown };
  try {
    msg = JSON.parse(text) as typeof msg;
  } catch {
    return;
  }
  const reqId = typeof msg.req_id === 'string' ? msg.req_id : '';
  if (msg.op === 'subscribe') {
    connection.socket.send(
      JSON.stringify({
        success: true,
        ret_msg: '',
        conn_id: `conn-${connection.id}`,
        req_id: reqId,
        op: 'subscribe',
      }),
    );
  } else if (msg.op === 'ping') {
    connection.socket.send(
      JSON.stringify({
        req_id: reqId,
        op: 'pong',
        args: [String(Date.now())],
        conn_id: `conn-${connection.id}`,
      }),
    );
  }
}

function fmt(units: number, decimals: number): string {
  const s = String(units).padStart(decimals + 1, '0');
  return decimals === 0 ? s : `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
}

/** Streams every subscribed topic each step: a ticker snapshot first, then deltas with mark/index. */
export function bybitStreamGenerator(): FrameGenerator {
  const prices = new Map<string, number>();
  const snapshotSent = new Set<string>();
  let u = 4_481_213;
  let tradeId = 0;
  return (connection: FakeConnection, step: number) => {
    const frames: string[] = [];
    const ts = Date.now();
    for (const topic of bybitSubscribedTopics(connection)) {
      const parts = topic.split('.');
      const s = parts[parts.length - 1] ?? '';
      const spec = DEFAULT_SPECS[s] ?? {
        priceTicks: 100000,
        priceDecimals: 2,
        tickUnits: 1,
        qtyDecimals: 3,
      };
      const ticks = (prices.get(s) ?? spec.priceTicks) + ((step * 7) % 5) - 2;
      prices.set(s, ticks);
      const px = (offset: number): string =>
        fmt((ticks + offset) * spec.tickUnits, spec.priceDecimals);
      if (topic.startsWith('tickers.')) {
        const key = `${connection.id}:${topic}`;
        const first = !snapshotSent.has(key);
        snapshotSent.add(key);
        const data = first
          ? {
              symbol: s,
              markPrice: px(0),
              indexPrice: px(-1),
              fundingRate: '0.0001',
              nextFundingTime: '1764115200000',
              lastPrice: px(0),
            }
          : { symbol: s, markPrice: px(0), indexPrice: px(-1) };
        frames.push(
          JSON.stringify({ topic, type: first ? 'snapshot' : 'delta', data, cs: step, ts }),
        );
      } else if (topic.startsWith('publicTrade.')) {
        tradeId += 1;
        const trade = {
          T: ts - 1,
          s,
          S: step % 2 ? 'Buy' : 'Sell',
          v: '0.010',
          p: px(0),
          L: 'PlusTick',
          i: `t-${tradeId}`,
          BT: false,
        };
        frames.push(JSON.stringify({ topic, type: 'snapshot', ts, data: [trade] }));
      } else if (topic.startsWith('orderbook.')) {
        u += 1;
        const data = { s, b: [[px(0), '1.000']], a: [[px(1), '2.000']], u, seq: u * 10 };
        frames.push(JSON.stringify({ topic, type: 'snapshot', ts, data, cts: ts - 1 }));
      }
    }
    return frames;
  };
}
