export { appRouter, createCaller, type AppRouter } from './root.ts';
export { liveInput } from './routers/market.ts';
export type { Context, SessionUser, Role } from './context.ts';
export { AppError, type AppErrorCode } from './errors.ts';
export { checkHealth, type HealthReport } from './services/health.ts';
export {
  signUp,
  promoteToAdmin,
  applyAdminFromEnv,
  provisionOAuthUser,
  type Profile,
  type UserListItem,
} from './services/users.ts';
export type { AccountSummary, AccountEventView } from './services/paper-accounts.ts';
export {
  MIN_STARTING_BALANCE,
  MAX_STARTING_BALANCE,
  MAX_ACTIVE_ACCOUNTS,
  ACCOUNT_NAME_MAX,
  QUOTE_ASSET,
  defaultStartingBalance,
} from './config.ts';
