import { appRouter } from '@lab/api';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createContext } from '@/server/context';
import { MAX_BATCH_SIZE } from '@/trpc/limits';

export const dynamic = 'force-dynamic';

const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: () => createContext(req.headers),
    // a batch is at most this many calls (the client's httpBatchLink sends no more)
    maxBatchSize: MAX_BATCH_SIZE,
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        console.error(`tRPC ${path ?? '?'} failed:`, error.cause ?? error);
    },
  });

export { handler as GET, handler as POST };
