import 'server-only';
import type { Context } from '@lab/api';
import { db } from './db';
import { marketFeed } from './market-feed';
import { getSessionUser } from './session';

export async function createContext(headers: Headers): Promise<Context> {
  const forwarded = headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  return {
    db: db(),
    user: await getSessionUser(),
    ip: forwarded || headers.get('x-real-ip') || 'unknown',
    // Live data is optional: without it, only the live subscription answers "unavailable".
    feed: await marketFeed().catch(() => undefined),
  };
}
