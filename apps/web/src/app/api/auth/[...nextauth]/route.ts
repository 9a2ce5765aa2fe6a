import NextAuth from 'next-auth';
import { authOptions } from '@/server/auth';

export const dynamic = 'force-dynamic';

type RouteContext = { params: Promise<{ nextauth: string[] }> };

// Options are built per request on first use, so `next build` needs no secrets.
const handler = (req: Request, ctx: RouteContext): Promise<Response> =>
  (
    NextAuth as unknown as (
      req: Request,
      ctx: RouteContext,
      options: ReturnType<typeof authOptions>,
    ) => Promise<Response>
  )(req, ctx, authOptions());

export { handler as GET, handler as POST };
