// @lab/api: the tRPC routers and procedures only (validate, call one service, return). Services,
// their types and domain errors are in @lab/services.
export { appRouter, createCaller, type AppRouter } from './root.ts';
export type { Context, SessionUser, Role } from './context.ts';
