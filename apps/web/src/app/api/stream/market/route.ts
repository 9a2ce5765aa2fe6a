import { clientIp } from '@lab/auth/client-ip';
import { MAIN_VENUE, marketStreamQuery, venueId } from '@lab/contracts';
import type { NextRequest } from 'next/server';
import { liveStreams, SSE_HEADERS } from '@/server/streams';
import { StreamRefused } from '@/server/streams/sse-hub';

export const dynamic = 'force-dynamic';

const list = (v: string | null) => (v ? v.split(',').filter(Boolean) : undefined);
const problem = (status: number, message: string) =>
  Response.json({ error: { message } }, { status, headers: { 'cache-control': 'no-store' } });

/**
 * GET /api/stream/market?symbols=BTCUSDT,ETHUSDT&kinds=trade,mark[&venue=main]: server-sent
 * events, a snapshot of the latest state first, then every batch of matching ticks.
 */
export async function GET(req: NextRequest) {
  const params = req.nextUrl.searchParams;
  const q = marketStreamQuery.safeParse({
    symbols: list(params.get('symbols')),
    kinds: list(params.get('kinds')),
  });
  if (!q.success) return problem(400, q.error.issues[0]?.message ?? 'invalid query');
  const venue = venueId.safeParse(params.get('venue') ?? MAIN_VENUE);
  if (!venue.success) return problem(400, 'venue must be a venue id like "main"');
  let streams;
  try {
    streams = await liveStreams();
  } catch {
    return problem(503, 'Live market data is not available on this server.');
  }
  try {
    const body = streams.market.open(clientIp(req.headers), q.data, venue.data);
    return new Response(body, { headers: SSE_HEADERS });
  } catch (e) {
    if (e instanceof StreamRefused) return problem(e.status, e.message);
    throw e;
  }
}
