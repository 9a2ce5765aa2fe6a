// The bot API's REST side (Binance USD-M futures paths: /fapi/v1/..., /fapi/v2/..., /fapi/v3/...).
// All of it is @lab/bot-api's handler, over the same services as tRPC; this file only hands it the
// request and the client address (apps/web/server.ts sets X-Forwarded-For from the socket unless
// a trusted proxy does).
import { handleFetchRequest } from '@lab/bot-api';
import { botApi } from '@/server/bot-api';

export const dynamic = 'force-dynamic';

async function handle(request: Request): Promise<Response> {
  const ip = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'unknown';
  return handleFetchRequest(await botApi(), request, ip);
}

export { handle as GET, handle as POST, handle as PUT, handle as DELETE };
