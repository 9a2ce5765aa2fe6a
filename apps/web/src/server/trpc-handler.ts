import 'server-only';
import { appRouter } from '@lab/api';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { MAX_BATCH_SIZE } from '@/trpc/limits';
import { createContext } from './context';

/** The tRPC API (/api/trpc/...): its route handler's, and the HTTP server's direct route's. */
export const handleTrpc = (req: Request): Promise<Response> =>
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
