import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { type AppErrorCode } from '@lab/services';

/** The one table from domain error codes to tRPC codes. */
export const trpcCodeFor: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHORIZED: 'UNAUTHORIZED',
  VALIDATION: 'BAD_REQUEST',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  PRECONDITION: 'PRECONDITION_FAILED',
};
