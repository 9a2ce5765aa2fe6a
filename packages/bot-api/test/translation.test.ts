// The framework-free parts of the bot API: the signed payload and HMAC (checked against the
// worked example of Binance's documentation), the timestamp window, parameter errors, the rate
// limiter's fixed windows and the error table.
import { AppError } from '@lab/services';
import fc from 'fast-check';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { BinanceError, toBinanceError } from '../src/errors.ts';
import { decimal, intBetween, parseParams, readParams, symbolParam } from '../src/params.ts';
import { RateLimiter } from '../src/rate-limit.ts';
import { checkTimestamp, sign, signatureValid, splitSignature } from '../src/signature.ts';
import { parseStreamName } from '../src/stream-names.ts';

const codeOf = (f: () => unknown): number => {
  try {
    f();
  } catch (e) {
    if (e instanceof BinanceError) return e.code;
    throw e;
  }
  throw new Error('expected a BinanceError');
};

describe('signatures', () => {
  // Binance's documented example (SIGNED endpoint examples for POST /fapi/v1/order)
  const secret = '2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9';
  const query =
    'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943';

  it('is the HMAC-SHA256 of the query followed by the body, signature left out', () => {
    expect(sign(secret, query)).toBe(
      '3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9',
    );
    const s = sign(secret, query);
    expect(splitSignature(`${query}&signature=${s}`, '')).toEqual({ payload: query, signature: s });
    // half in the query, half in the body, the signature in the body
    const [q, b] = [query.slice(0, 40), query.slice(40)];
    expect(splitSignature(q, `${b}&signature=${s}`)).toEqual({ payload: q + b, signature: s });
    expect(signatureValid(secret, query, s)).toBe(true);
    expect(signatureValid(secret, query, s.toUpperCase())).toBe(true);
    expect(signatureValid(secret, query + '&x=1', s)).toBe(false);
    expect(signatureValid(secret, query, 'zz')).toBe(false);
    expect(splitSignature(query, '')).toBeNull();
  });

  it('a changed byte of the payload never verifies', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), fc.nat(), (payload, at) => {
        const s = sign(secret, payload);
        const i = at % payload.length;
        const changed =
          payload.slice(0, i) +
          String.fromCharCode(payload.charCodeAt(i) ^ 1) +
          payload.slice(i + 1);
        return signatureValid(secret, payload, s) && !signatureValid(secret, changed, s);
      }),
    );
  });

  it('timestamps: within recvWindow (default 5 s, at most 60 s), at most 1 s ahead', () => {
    const now = 1_700_000_000_000;
    expect(() => checkTimestamp(String(now - 4999), undefined, now)).not.toThrow();
    expect(codeOf(() => checkTimestamp(String(now - 5001), undefined, now))).toBe(-1021);
    expect(() => checkTimestamp(String(now - 30_000), '60000', now)).not.toThrow();
    expect(codeOf(() => checkTimestamp(String(now + 1001), undefined, now))).toBe(-1021);
    expect(codeOf(() => checkTimestamp(undefined, undefined, now))).toBe(-1102);
    expect(codeOf(() => checkTimestamp('12a', undefined, now))).toBe(-1100);
    expect(codeOf(() => checkTimestamp(String(now), '60001', now))).toBe(-1131);
  });
});

describe('parameters', () => {
  const schema = z.object({
    symbol: symbolParam,
    quantity: decimal,
    limit: intBetween(1, 1000).optional(),
    type: z.enum(['LIMIT', 'MARKET']),
    side: z.enum(['BUY', 'SELL']),
  });
  const read = (q: string) => readParams(schema, parseParams(q, ''));

  it('reads the form and names the rule a value breaks, with its Binance code', () => {
    expect(read('symbol=btcusdt&quantity=0.5&type=LIMIT&side=BUY')).toEqual({
      symbol: 'BTCUSDT',
      quantity: '0.5',
      type: 'LIMIT',
      side: 'BUY',
    });
    expect(codeOf(() => read('quantity=1&type=LIMIT&side=BUY'))).toBe(-1102);
    expect(codeOf(() => read('symbol=BTCUSDT&quantity=1e5&type=LIMIT&side=BUY'))).toBe(-1100);
    expect(codeOf(() => read('symbol=BTCUSDT&quantity=1&type=OCO&side=BUY'))).toBe(-1116);
    expect(codeOf(() => read('symbol=BTCUSDT&quantity=1&type=LIMIT&side=UP'))).toBe(-1117);
    expect(codeOf(() => read('symbol=BTCUSDT&quantity=1&type=LIMIT&side=BUY&limit=5000'))).toBe(
      -1130,
    );
    // a name twice: refused, whichever value a parser would keep
    expect(codeOf(() => parseParams('symbol=A&symbol=B', ''))).toBe(-1130);
    expect(codeOf(() => parseParams('a=1', 'a=2'))).toBe(-1130);
  });

  it('never throws anything but a Binance error on any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (q) => {
        try {
          read(q);
        } catch (e) {
          return e instanceof BinanceError;
        }
        return true;
      }),
    );
  });
});

describe('rate limits', () => {
  it('counts weight per address per clock minute; 429 with -1003 past 2400', () => {
    const l = new RateLimiter();
    const t0 = 1_700_000_080_000; // 40 s into a minute
    expect(l.spendWeight('a', 2000, t0)).toBe(2000);
    expect(l.spendWeight('b', 5, t0)).toBe(5);
    expect(l.spendWeight('a', 400, t0 + 1000)).toBe(2400);
    const e = (() => {
      try {
        l.spendWeight('a', 1, t0 + 2000);
      } catch (x) {
        return x as BinanceError;
      }
    })();
    expect(e).toMatchObject({ code: -1003, status: 429 });
    // the next minute starts afresh
    expect(l.spendWeight('a', 1, t0 + 20_000)).toBe(1);
  });

  it('counts orders per account: 300 per 10 s, refused ones not counted', () => {
    const l = new RateLimiter();
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 300; i++) l.countOrders('acc', 1, t0);
    expect(() => l.countOrders('acc', 1, t0 + 100)).toThrow(BinanceError);
    expect(l.countOrders('other', 1, t0).tenSeconds).toBe(1);
    expect(l.countOrders('acc', 1, t0 + 10_000)).toEqual({ tenSeconds: 1, minute: 301 });
  });
});

describe('errors', () => {
  it("maps the engine's refusals to Binance's codes", () => {
    const ae = (reason: string) => new AppError('PRECONDITION', 'x', { reason });
    expect(toBinanceError(ae('INSUFFICIENT_MARGIN')).code).toBe(-2019);
    expect(toBinanceError(ae('MIN_NOTIONAL'), { minNotional: '100' }).body()).toEqual({
      code: -4164,
      msg: "Order's notional must be no smaller than 100 (unless you choose reduce only).",
    });
    expect(toBinanceError(ae('REDUCE_ONLY_WOULD_INCREASE')).code).toBe(-2022);
    expect(toBinanceError(ae('POST_ONLY_WOULD_TAKE')).code).toBe(-5022);
    expect(toBinanceError(ae('FOK_NOT_FILLED')).code).toBe(-5021);
    expect(toBinanceError(ae('PRICE_NOT_ON_TICK')).code).toBe(-4014);
    expect(toBinanceError(ae('STOP_WOULD_TRIGGER_IMMEDIATELY')).code).toBe(-2021);
    // an unexpected error says nothing of itself
    expect(toBinanceError(new Error('secret detail')).body()).toEqual({
      code: -1000,
      msg: 'An unknown error occurred while processing the request.',
    });
  });
});

describe('stream names', () => {
  it('parses the streams served and refuses others', () => {
    expect(parseStreamName('btcusdt@markPrice@1s')).toEqual({
      kind: 'markPrice',
      symbol: 'BTCUSDT',
      everyMs: 1000,
    });
    expect(parseStreamName('ethusdt@kline_1m')).toEqual({
      kind: 'kline',
      symbol: 'ETHUSDT',
      interval: '1m',
    });
    expect(parseStreamName('!markPrice@arr')).toMatchObject({ symbol: null, everyMs: 3000 });
    expect(parseStreamName('btcusdt@kline_3m')).toBeNull();
    expect(parseStreamName('btcusdt@depth')).toBeNull();
  });
});
