// Checks every request gets before the app reads anything of it (apps/web/server.ts): a body
// larger than the limit is refused with 413 from its Content-Length, before a byte of it is read
// (a 100 MB sign-up body grew the process by 575 MB); a body of unknown length is refused with
// 411; a path that is not valid percent-encoding is a 400 (Next answered /api/trpc/%ZZ with 500).
import type { IncomingMessage } from 'node:http';

/** Largest request body the app accepts (tRPC batches of 10 calls, forms, the bot API). */
export const MAX_BODY_BYTES = 64 * 1024;

export interface Refusal {
  status: 400 | 411 | 413;
  message: string;
}

const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

export function refuseRequest(req: IncomingMessage): Refusal | undefined {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  try {
    decodeURIComponent(q < 0 ? url : url.slice(0, q));
  } catch {
    return { status: 400, message: 'The request path is not valid percent-encoding.' };
  }
  const length = req.headers['content-length'];
  if (length !== undefined) {
    const n = Number(length);
    if (!Number.isSafeInteger(n) || n < 0)
      return { status: 400, message: 'Content-Length must be a number of bytes.' };
    if (n > MAX_BODY_BYTES)
      return {
        status: 413,
        message: `Request bodies are limited to ${MAX_BODY_BYTES / 1024} KiB.`,
      };
    return undefined;
  }
  if (req.headers['transfer-encoding'] && !BODYLESS.has(req.method ?? 'GET'))
    return { status: 411, message: 'Send a Content-Length with the request body.' };
  return undefined;
}
