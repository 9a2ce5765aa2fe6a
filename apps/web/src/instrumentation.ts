// Runs once when the Next server starts: makes the bot API's WebSocket streams reachable from the
// HTTP server in apps/web/server.ts (a Next route handler cannot answer a WebSocket upgrade).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { registerBotStreams } = await import('./server/bot-api');
  registerBotStreams();
}
