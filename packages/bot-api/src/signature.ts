// Binance's SIGNED requests: HMAC-SHA256, keyed by the API secret, of the request's parameters as
// sent (the query string followed by the body, `signature` itself left out), hex-encoded; plus a
// `timestamp` within `recvWindow` (default 5000 ms, at most 60000) of the server's clock, and at
// most 1000 ms ahead of it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ERR } from './errors.ts';

const SIGNATURE_PAIR = /(^|&)signature=([^&]*)/;

/** The signed payload and the signature of a request, or null when it carries no signature. */
export function splitSignature(
  query: string,
  body: string,
): { payload: string; signature: string } | null {
  for (const [i, part] of [query, body].entries()) {
    const m = SIGNATURE_PAIR.exec(part);
    if (!m) continue;
    const without = (part.slice(0, m.index) + part.slice(m.index + m[0].length)).replace(/^&/, '');
    const payload = i === 0 ? without + body : query + without;
    let signature: string;
    try {
      signature = decodeURIComponent(m[2]!);
    } catch {
      signature = '';
    }
    return { payload, signature };
  }
  return null;
}

export function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** True when `signature` is the HMAC of `payload` under `secret` (constant-time compare). */
export function signatureValid(secret: string, payload: string, signature: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const expected = Buffer.from(sign(secret, payload), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature.toLowerCase(), 'hex'));
}

export const DEFAULT_RECV_WINDOW = 5000;
export const MAX_RECV_WINDOW = 60_000;

/** Throws -1102 / -1100 / -1131 / -1021 unless the request's timestamp is acceptable now. */
export function checkTimestamp(
  timestamp: string | undefined,
  recvWindow: string | undefined,
  now: number,
): void {
  if (timestamp === undefined || timestamp === '') throw ERR.mandatory('timestamp');
  if (!/^\d{1,16}$/.test(timestamp)) throw ERR.illegalChars('timestamp');
  let window = DEFAULT_RECV_WINDOW;
  if (recvWindow !== undefined) {
    if (!/^\d{1,8}(\.\d{1,3})?$/.test(recvWindow)) throw ERR.illegalChars('recvWindow');
    window = Number(recvWindow);
    if (window > MAX_RECV_WINDOW || window <= 0) throw ERR.badRecvWindow();
  }
  const t = Number(timestamp);
  if (t - now > 1000) throw ERR.timestampAhead();
  if (now - t > window) throw ERR.timestampOutside();
}
