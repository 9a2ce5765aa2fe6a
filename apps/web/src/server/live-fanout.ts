// Fast path of the production server (server.ts) for the `market.live` subscription: the requests
// that tRPC's httpSubscriptionLink sends (GET /api/trpc/market.live?input=<JSON>) are answered by
// one shared fan-out that encodes each batch once and writes the same bytes to every client
// (LiveSseFanout of @lab/market-data), instead of tRPC's per-client stream pipeline, which cannot
// serve 1,000 clients per process (packages/market-data/README.md, Benchmarks).
//
// Same contract as the procedure: input validated by the procedure's own zod schema (`liveInput`),
// tRPC's SSE wire format, headers and `config.sse` options, snapshot first, then live batches.
// Only well-formed requests are taken over; anything else (bad input, other query parameters, a
// transformer, live data unavailable) returns false and goes to Next/tRPC, which answers it as
// it always did. `next dev` does not use server.ts and serves everything through tRPC.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { appRouter, liveInput } from '@lab/api';
import { LiveSseFanout, type LiveSseOptions, type MarketFeedLike } from '@lab/market-data';

export const LIVE_ENDPOINT = '/api/trpc';
const LIVE_PATH = `${LIVE_ENDPOINT}/market.live`;
/** Query parameters tRPC reads for a subscription over GET; `connectionParams` and `batch` go to tRPC. */
const KNOWN_PARAMS = new Set(['input', 'lastEventId', 'Last-Event-Id']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && !Array.isArray(v) && typeof v === 'object';

/**
 * The symbol filter of a well-formed `market.live` request (null: all symbols), or undefined when
 * the request is not one the fast path answers. The input is built as tRPC builds it: `input` is
 * the JSON of the query parameter, and a Last-Event-ID (header, or `lastEventId` parameter) is
 * merged into it before validation.
 */
export function parseLiveRequest(req: IncomingMessage): { symbols: string[] | null } | undefined {
  const url = req.url;
  if (req.method !== 'GET' || !url?.startsWith(LIVE_PATH)) return undefined;
  const q = url.indexOf('?');
  if ((q < 0 ? url : url.slice(0, q)) !== LIVE_PATH) return undefined;
  const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  for (const key of params.keys()) if (!KNOWN_PARAMS.has(key)) return undefined;
  let input: unknown;
  const raw = params.get('input');
  if (raw) {
    try {
      input = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  const header = req.headers['last-event-id'];
  const lastEventId =
    (typeof header === 'string' ? header : undefined) ??
    params.get('lastEventId') ??
    params.get('Last-Event-Id');
  if (lastEventId) {
    if (isObject(input)) input = { ...input, lastEventId };
    else input ??= { lastEventId };
  }
  const parsed = liveInput.safeParse(input);
  if (!parsed.success) return undefined;
  return { symbols: parsed.data?.symbols?.length ? parsed.data.symbols : null };
}

/**
 * tRPC's SSE options of the app router, mirrored by the fast path; undefined when the router is
 * configured in a way the fast path does not reproduce (SSE disabled, a data transformer).
 */
export function routerSseOptions(): LiveSseOptions | undefined {
  const config = appRouter._def._config;
  const probe = {};
  if (config.sse?.enabled === false || config.transformer.output.serialize(probe) !== probe)
    return undefined;
  return {
    client: config.sse?.client,
    ping: config.sse?.ping,
    maxDurationMs: config.sse?.maxDurationMs,
  };
}

export interface LiveFastPath {
  /** True when it answered the request; false: hand it to Next/tRPC. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  close(): void;
}

export function createLiveFastPath(opts: {
  feed: () => Promise<MarketFeedLike>;
  sse?: Partial<LiveSseOptions>;
}): LiveFastPath {
  const routerOptions = routerSseOptions();
  let fanout: LiveSseFanout | undefined;
  let fanoutFeed: MarketFeedLike | undefined;
  return {
    async handle(req, res) {
      if (!routerOptions) return false;
      const request = parseLiveRequest(req);
      if (!request) return false;
      let feed: MarketFeedLike;
      try {
        feed = await opts.feed();
      } catch {
        return false; // tRPC answers "Live market data is not available on this server."
      }
      if (res.destroyed || req.destroyed) return true;
      if (!fanout || fanoutFeed !== feed) {
        fanout?.close(); // the feed was replaced (after a failed start)
        fanout = new LiveSseFanout(feed, { ...routerOptions, ...opts.sse });
        fanoutFeed = feed;
      }
      fanout.open(res, request.symbols);
      return true;
    },
    close() {
      fanout?.close();
      fanout = undefined;
    },
  };
}
