// Runs once when the Next server starts: makes the bot API's WebSocket streams reachable from the
// HTTP server in apps/web/server.ts (a Next route handler cannot answer a WebSocket upgrade), and,
// outside development (where Next's routes hot-reload), the API's handlers too.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { registerBotStreams } = await import('./server/bot-api');
  registerBotStreams();
  if (process.env.NODE_ENV !== 'development') {
    const { registerApiRoutes } = await import('./server/api-routes');
    registerApiRoutes();
  }
}
