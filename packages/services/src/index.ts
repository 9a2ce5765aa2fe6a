// @lab/services: the domain services. They load state, let the margin engine compute, and persist
// what it returns in one transaction; they throw AppError (never a transport error) and know
// nothing of tRPC, so the tRPC API, the bot API, the worker and the seed all call the same code.
export { AppError, APP_ERROR_CODES, type AppErrorCode } from './errors.ts';
export * from './config.ts';
export { checkHealth, type HealthReport } from './health.ts';
export * from './users.ts';
export * from './paper-accounts.ts';
export * from './market.ts';
export { valueAccount, type Valuation } from './equity.ts';
export * from './engine-state.ts';
export { bookBalance } from './ledger.ts';
export { appendAccountEvent, isEngineEventType, NON_ENGINE_EVENT_TYPES } from './account-events.ts';
export * from './trading/ledger-lines.ts';
export * from './trading/prices.ts';
export * from './trading/persist.ts';
export * from './trading/run.ts';
export { KeyedQueue, MAX_QUEUED_PER_ACCOUNT } from './trading/account-queue.ts';
export * from './trading/figures.ts';
export * from './trading/engine-errors.ts';
export * from './trading/views.ts';
export * from './trading/orders.ts';
export * from './trading/preview.ts';
export * from './trading/read-models.ts';
export * from './trading/house.ts';
export * from './trading/api-keys.ts';
export * from './trading/bot-queries.ts';
export * from './competitions/index.ts';
export * from './trading/liquidation-story.ts';
export * from './teaching/index.ts';
