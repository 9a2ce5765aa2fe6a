// The one table from margin-engine error codes to domain errors: the engine's category decides
// the AppError code, `reason` carries the engine code (stable, for clients and the bot API) and
// the message is the engine's constant message. Markets that are not live are refused here too.
import type { MarketStatus } from '@lab/contracts';
import {
  ERROR_CATEGORY,
  ERROR_MESSAGES,
  isEngineError,
  type ErrorCategory,
  type ErrorCode,
} from '@lab/margin-engine';
import { AppError, type AppErrorCode } from '../errors.ts';

const CODE_FOR: Readonly<Record<ErrorCategory, AppErrorCode>> = {
  input: 'VALIDATION',
  rule: 'PRECONDITION',
  notFound: 'NOT_FOUND',
  conflict: 'CONFLICT',
};

/** The AppError of an engine refusal (a thrown EngineError or an orderRejected event). */
export function engineAppError(code: ErrorCode, field?: string): AppError {
  return new AppError(CODE_FOR[ERROR_CATEGORY[code]], ERROR_MESSAGES[code], {
    reason: code,
    ...(field !== undefined ? { field } : {}),
  });
}

/** Runs an engine operation that throws EngineError; a refusal becomes its AppError. */
export function engine<T>(op: () => T): T {
  try {
    return op();
  } catch (e) {
    if (isEngineError(e)) throw engineAppError(e.code, e.field);
    throw e;
  }
}

/** Reasons of a market that is not live (AppError.reason). */
export const MARKET_REASONS = {
  stale: 'MARKET_STALE',
  halted: 'MARKET_HALTED',
  connecting: 'MARKET_CONNECTING',
} as const satisfies Record<Exclude<MarketStatus, 'live'>, string>;

const MARKET_MESSAGES: Record<Exclude<MarketStatus, 'live'>, (s: string) => string> = {
  stale: (s) => `The ${s} market has no fresh prices; orders are refused until it is live again.`,
  halted: (s) => `The ${s} market is halted; orders are refused until it reopens.`,
  connecting: (s) => `The ${s} market has no prices yet; wait until it is live.`,
};

/** Throws PRECONDITION (reason MARKET_STALE / MARKET_HALTED / MARKET_CONNECTING) unless live. */
export function requireLive(symbol: string, status: MarketStatus): void {
  if (status === 'live') return;
  throw new AppError('PRECONDITION', MARKET_MESSAGES[status](symbol), {
    field: 'symbol',
    reason: MARKET_REASONS[status],
  });
}
