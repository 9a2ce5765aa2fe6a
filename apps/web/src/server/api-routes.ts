import 'server-only';
// The API routes the HTTP server serves directly in production (see direct-routes.ts): each is
// the handler its Next route file exports, with that file's methods.
import { handleBotRequest } from './bot-api';
import { registerDirectRoutes } from './direct-routes';
import { handleAccountStream, handleMarketStream } from './streams/routes';
import { handleTrpc } from './trpc-handler';

export function registerApiRoutes(): void {
  registerDirectRoutes([
    { path: '/api/trpc/', methods: new Set(['GET', 'POST']), handle: handleTrpc },
    {
      path: '/fapi/',
      methods: new Set(['GET', 'POST', 'PUT', 'DELETE']),
      handle: handleBotRequest,
    },
    { path: '/api/stream/account', methods: new Set(['GET']), handle: handleAccountStream },
    { path: '/api/stream/market', methods: new Set(['GET']), handle: handleMarketStream },
  ]);
}
