import { clientIp } from '@lab/auth/client-ip';
import { uuid } from '@lab/contracts';
import { tradesSharedAccount } from '@lab/services';
import type { NextRequest } from 'next/server';
import { db } from '@/server/db';
import { getSessionUser } from '@/server/session';
import { liveStreams, SSE_HEADERS } from '@/server/streams';
import { StreamRefused } from '@/server/streams/sse-hub';

export const dynamic = 'force-dynamic';

const problem = (status: number, message: string) =>
  Response.json({ error: { message } }, { status, headers: { 'cache-control': 'no-store' } });

/**
 * GET /api/stream/account?accountId=<id>: the private stream of one of the signed-in user's
 * accounts, or of a shared team account they trade (server-sent events): a snapshot, then updates, figures, margin calls, liquidations.
 * Another user's account is 404, as everywhere.
 */
export async function GET(req: NextRequest) {
  const id = uuid('accountId').safeParse(req.nextUrl.searchParams.get('accountId'));
  if (!id.success) return problem(400, 'accountId must be an account id');
  const user = await getSessionUser();
  if (!user) return problem(401, 'Sign in to do this.');
  const owned =
    (await db().paperAccount.findFirst({
      where: { id: id.data, userId: user.id },
      select: { id: true },
    })) ??
    // a shared team account the user trades as a member
    ((await tradesSharedAccount(db(), user.id, id.data)) ? { id: id.data } : null);
  if (!owned) return problem(404, 'Account not found.');
  let streams;
  try {
    streams = await liveStreams();
  } catch {
    return problem(503, 'Live data is not available on this server.');
  }
  try {
    return new Response(streams.account.open(clientIp(req.headers), owned.id), {
      headers: SSE_HEADERS,
    });
  } catch (e) {
    if (e instanceof StreamRefused) return problem(e.status, e.message);
    throw e;
  }
}
