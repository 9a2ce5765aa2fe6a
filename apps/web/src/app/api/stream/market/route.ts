// In production the HTTP server hands these requests to the same handler before Next routes them
// (src/server/direct-routes.ts); this route serves them in development, where it hot-reloads.
import { handleMarketStream } from '@/server/streams/routes';

export const dynamic = 'force-dynamic';

export { handleMarketStream as GET };
