// Identity: input rules, password hashing, sign-in with throttling, sessions.
// The next-auth wiring is in '@lab/auth/next-auth', kept apart so non-web code never loads next-auth.
// Browser-safe parts have their own entry points: '@lab/auth/redirect', '@lab/auth/sign-in-errors'.
export * from './validation.ts';
export { hashPassword, verifyPassword, ARGON2_OPTIONS } from './password.ts';
export { authenticate, SignInError, signInBuckets, type SignInFailure } from './credentials.ts';
export {
  SIGN_IN_ERROR,
  INVALID_CREDENTIALS_MESSAGE,
  throttledMessage,
  throttledCode,
  signInErrorMessage,
  failedSignInMessage,
  type OAuthProvisionFailure,
} from './sign-in-errors.ts';
export { sameOriginPath } from './redirect.ts';
export {
  takeAttempt,
  refundAttempt,
  pruneRateLimitBuckets,
  SIGN_IN_RULE,
  SIGN_IN_RULES,
  type ThrottleRule,
  type SignInRules,
  type BucketState,
} from './throttle.ts';
export {
  createSession,
  resolveSession,
  endSession,
  endUserSessions,
  pruneExpiredSessions,
  hashSessionId,
  SESSION_MAX_AGE_SECONDS,
} from './session.ts';
export { authUserSelect, type AuthUser, type Role } from './user.ts';
