// Domain errors: services throw AppError (never TRPCError); the tRPC layer maps codes to
// transport codes in one table (see ./error-map.ts).
export const APP_ERROR_CODES = [
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHORIZED',
  'VALIDATION',
  'CONFLICT',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'PRECONDITION',
] as const;
export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

export class AppError extends Error {
  readonly code: AppErrorCode;
  /** Input field the error is about, so forms can show it next to that field. */
  readonly field: string | undefined;
  /** A stable machine-readable reason, e.g. an engine error code. */
  readonly reason: string | undefined;

  constructor(code: AppErrorCode, message: string, opts: { field?: string; reason?: string } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.field = opts.field;
    this.reason = opts.reason;
  }
}
