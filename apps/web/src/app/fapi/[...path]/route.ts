// The bot API's REST side (Binance USD-M futures paths: /fapi/v1/..., /fapi/v2/..., /fapi/v3/...),
// over the same services as tRPC. In production the HTTP server hands these requests to the same
// handler before Next routes them (src/server/direct-routes.ts); this route serves them in
// development, where it hot-reloads.
import { handleBotRequest } from '@/server/bot-api';

export const dynamic = 'force-dynamic';

export {
  handleBotRequest as GET,
  handleBotRequest as POST,
  handleBotRequest as PUT,
  handleBotRequest as DELETE,
};
