// The bot API's REST dispatcher, free of any web framework: a request (method, path, raw query,
// raw body, API key header, client address) in, a response (status, headers, JSON text) out. In
// order, as Binance does: the request weight is counted on the client address (429 past the
// limit); keyed endpoints need X-MBX-APIKEY (-2014 malformed, -2015 unknown, revoked, wrong
// address, missing permission); signed ones a fresh timestamp (-1021) and the HMAC of their
// parameters (-1022); order endpoints count on the account's order limits. The account acted on
// is always the key's own: no parameter names an account.
import { MAIN_VENUE } from '@lab/contracts';
import {
  closeListenKey,
  findBotCredential,
  ipAllowed,
  keepAliveListenKey,
  openListenKey,
  touchApiKey,
  userActor,
} from '@lab/services';
import { ACCOUNT_ENDPOINTS } from './account.ts';
import { keyed, type BotApiDeps, type Call, type Endpoint, type KeyedCall } from './context.ts';
import { BinanceError, ERR, toBinanceError } from './errors.ts';
import { MARKET_ENDPOINTS } from './market.ts';
import { parseParams, type RawParams } from './params.ts';
import { checkTimestamp, signatureValid, splitSignature } from './signature.ts';
import { TRADING_ENDPOINTS } from './trading.ts';

const STREAM_ENDPOINTS: Record<string, Endpoint> = {
  'POST /fapi/v1/listenKey': {
    security: 'USER_STREAM',
    weight: 1,
    run: async (c) => ({
      listenKey: await openListenKey(c.deps.db, keyed(c).cred.apiKeyId, c.now),
    }),
  },
  'PUT /fapi/v1/listenKey': {
    security: 'USER_STREAM',
    weight: 1,
    run: async (c) => {
      const key = await keepAliveListenKey(c.deps.db, keyed(c).cred.apiKeyId, c.now);
      if (!key) throw ERR.badListenKey();
      return { listenKey: key };
    },
  },
  'DELETE /fapi/v1/listenKey': {
    security: 'USER_STREAM',
    weight: 1,
    run: async (c) => {
      await closeListenKey(c.deps.db, keyed(c).cred.apiKeyId);
      return {};
    },
  },
};

/** Every endpoint of the bot API, by "METHOD /path". */
export const ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  ...MARKET_ENDPOINTS,
  ...ACCOUNT_ENDPOINTS,
  ...TRADING_ENDPOINTS,
  ...STREAM_ENDPOINTS,
};

export interface BotHttpRequest {
  method: string;
  /** The path, e.g. /fapi/v1/order (no query string). */
  path: string;
  /** The raw query string, without '?'. */
  query: string;
  /** The raw body (form-encoded), or ''. */
  body: string;
  /** The X-MBX-APIKEY header. */
  apiKey: string | undefined;
  /** The client address. */
  ip: string;
}

export interface BotHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Largest request body (a batch of five orders is well under it). */
export const MAX_BODY_BYTES = 64 * 1024;

const API_KEY = /^[A-Za-z0-9]{64}$/;

async function authenticate(
  deps: BotApiDeps,
  ep: Endpoint,
  req: BotHttpRequest,
  params: RawParams,
  now: number,
): Promise<KeyedCall> {
  const key = req.apiKey?.trim();
  if (!key || !API_KEY.test(key)) throw ERR.badApiKeyFormat();
  const cred = await findBotCredential(deps.db, key);
  if (!cred || !cred.usable || cred.secret === null || !ipAllowed(cred, req.ip))
    throw ERR.rejectedKey();
  if (ep.security === 'USER_DATA' || ep.security === 'TRADE') {
    checkTimestamp(params.timestamp, params.recvWindow, now);
    const signed = splitSignature(req.query, req.body);
    if (!signed || !signed.signature) throw ERR.mandatory('signature');
    if (!signatureValid(cred.secret, signed.payload, signed.signature)) throw ERR.badSignature();
  }
  if (ep.security === 'TRADE' && cred.permission !== 'trade') throw ERR.rejectedKey();
  touchApiKey(deps.db, cred, now).catch((e: unknown) => deps.log?.('api key touch failed', e));
  return { cred, actor: userActor(cred.userId), accountId: cred.accountId, venueId: cred.venueId };
}

function json(status: number, headers: Record<string, string>, value: unknown): BotHttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

/** Handles one REST request of the bot API. Never throws. */
export async function handleBotRequest(
  deps: BotApiDeps,
  req: BotHttpRequest,
): Promise<BotHttpResponse> {
  const now = deps.now?.() ?? Date.now();
  const headers: Record<string, string> = {};
  const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
  const ep = ENDPOINTS[`${req.method.toUpperCase()} ${path}`];
  try {
    if (!ep) {
      deps.limiter.spendWeight(req.ip, 1, now);
      throw ERR.notFound();
    }
    if (Buffer.byteLength(req.body) > MAX_BODY_BYTES) throw ERR.tooManyParams();
    let params: RawParams;
    try {
      params = parseParams(req.query, req.body);
    } finally {
      const w = ep.weight;
      deps.limiter.spendWeight(req.ip, typeof w === 'number' ? w : w(safeParams(req)), now);
    }
    const key = ep.security === 'NONE' ? null : await authenticate(deps, ep, req, params, now);
    if (ep.orders && key) {
      const n = ep.orders(params);
      const c = deps.limiter.countOrders(key.accountId, n, now);
      headers['X-MBX-ORDER-COUNT-10S'] = String(c.tenSeconds);
      headers['X-MBX-ORDER-COUNT-1M'] = String(c.minute);
    }
    const call: Call = { deps, params, now, venue: key?.venueId ?? MAIN_VENUE, key };
    const value = await ep.run(call);
    headers['X-MBX-USED-WEIGHT-1M'] = String(deps.limiter.usedWeight(req.ip, now));
    return json(200, headers, value);
  } catch (e) {
    const err = toBinanceError(e);
    if (!(e instanceof BinanceError) && err.code === -1000)
      deps.log?.(`bot api ${req.method} ${path} failed`, e);
    headers['X-MBX-USED-WEIGHT-1M'] = String(deps.limiter.usedWeight(req.ip, now));
    if (err.status === 429)
      headers['Retry-After'] = String(Math.ceil((60_000 - (now % 60_000)) / 1000));
    return json(err.status, headers, err.body());
  }
}

/** Parameters for computing a weight even when the request's parameters are malformed. */
function safeParams(req: BotHttpRequest): RawParams {
  try {
    return parseParams(req.query, req.body);
  } catch {
    return {};
  }
}

/** The Web-standard adapter (Next route handlers, tests): one Request in, one Response out. */
export async function handleFetchRequest(
  deps: BotApiDeps,
  request: Request,
  ip: string,
): Promise<Response> {
  const url = new URL(request.url);
  const length = Number(request.headers.get('content-length') ?? '0');
  let body = '';
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    body = length > MAX_BODY_BYTES ? 'x'.repeat(MAX_BODY_BYTES + 1) : await request.text();
  }
  const r = await handleBotRequest(deps, {
    method: request.method,
    path: url.pathname,
    query: url.search.replace(/^\?/, ''),
    body,
    apiKey: request.headers.get('x-mbx-apikey') ?? undefined,
    ip,
  });
  return new Response(r.body, { status: r.status, headers: r.headers });
}
