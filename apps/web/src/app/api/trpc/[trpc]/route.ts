// In production the HTTP server hands these requests to the same handler before Next routes them
// (src/server/direct-routes.ts); this route serves them in development, where it hot-reloads.
import { handleTrpc } from '@/server/trpc-handler';

export const dynamic = 'force-dynamic';

export { handleTrpc as GET, handleTrpc as POST };
