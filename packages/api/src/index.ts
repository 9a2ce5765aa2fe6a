export { appRouter, createCaller, type AppRouter } from './root.ts';
export type { Context, SessionUser, Role } from './context.ts';
export { AppError, type AppErrorCode } from './errors.ts';
export { checkHealth, type HealthReport } from './services/health.ts';
