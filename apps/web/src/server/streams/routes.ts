import 'server-only';
// The live streams' HTTP handlers (Request -> Response): their Next route files export them, and
// in production the HTTP server calls them directly (direct-routes.ts), so every SSE frame is
// written to the socket without Next's Web Streams piping, which cost more than the frame.
import { clientIp } from '@lab/auth/client-ip';
import { MAIN_VENUE, marketStreamQuery, uuid, venueId } from '@lab/contracts';
import { tradesSharedAccount } from '@lab/services';
import { sessionUserOf } from '../auth';
import { db } from '../db';
import { liveStreams, SSE_HEADERS } from './index';
import { StreamRefused } from './sse-hub';

const problem = (status: number, message: string) =>
  Response.json({ error: { message } }, { status, headers: { 'cache-control': 'no-store' } });

const list = (v: string | null) => (v ? v.split(',').filter(Boolean) : undefined);

/** The stream `open` returns, or the answer that says why there is none. */
async function streamOf(
  unavailable: string,
  open: (streams: Awaited<ReturnType<typeof liveStreams>>) => ReadableStream<Uint8Array>,
): Promise<Response> {
  let streams;
  try {
    streams = await liveStreams();
  } catch {
    return problem(503, unavailable);
  }
  try {
    return new Response(open(streams), { headers: SSE_HEADERS });
  } catch (e) {
    if (e instanceof StreamRefused) return problem(e.status, e.message);
    throw e;
  }
}

/**
 * GET /api/stream/market?symbols=BTCUSDT,ETHUSDT&kinds=trade,mark[&venue=main]: server-sent
 * events, a snapshot of the latest state first, then every batch of matching ticks.
 */
export async function handleMarketStream(req: Request): Promise<Response> {
  const params = new URL(req.url).searchParams;
  const q = marketStreamQuery.safeParse({
    symbols: list(params.get('symbols')),
    kinds: list(params.get('kinds')),
  });
  if (!q.success) return problem(400, q.error.issues[0]?.message ?? 'invalid query');
  const venue = venueId.safeParse(params.get('venue') ?? MAIN_VENUE);
  if (!venue.success) return problem(400, 'venue must be a venue id like "main"');
  return streamOf('Live market data is not available on this server.', (s) =>
    s.market.open(clientIp(req.headers), q.data, venue.data),
  );
}

/**
 * GET /api/stream/account?accountId=<id>[&since=<event id>]: the private stream of one of the
 * signed-in user's accounts, or of a shared team account they trade (server-sent events): a
 * snapshot, then updates, figures, margin calls, liquidations. Another user's account is 404, as
 * everywhere.
 */
export async function handleAccountStream(req: Request): Promise<Response> {
  const params = new URL(req.url).searchParams;
  const id = uuid('accountId').safeParse(params.get('accountId'));
  if (!id.success) return problem(400, 'accountId must be an account id');
  const user = await sessionUserOf(req.headers);
  if (!user) return problem(401, 'Sign in to do this.');
  const owned =
    (await db().paperAccount.findFirst({
      where: { id: id.data, userId: user.id },
      select: { id: true },
    })) ??
    // a shared team account the user trades as a member
    ((await tradesSharedAccount(db(), user.id, id.data)) ? { id: id.data } : null);
  if (!owned) return problem(404, 'Account not found.');
  return streamOf('Live data is not available on this server.', (s) =>
    // the id of the last frame the client got: EventSource sends it when it reconnects, the page
    // (`since`) when it opens the stream again later
    s.account.open(
      clientIp(req.headers),
      owned.id,
      (req.headers.get('last-event-id') ?? params.get('since'))?.slice(0, 32),
    ),
  );
}
