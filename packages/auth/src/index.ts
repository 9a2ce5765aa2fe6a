// Identity: input rules, password hashing, sign-in with throttling, session re-validation.
// The next-auth wiring is in '@lab/auth/next-auth', kept apart so non-web code never loads next-auth.
export * from './validation.ts';
export { hashPassword, verifyPassword, ARGON2_OPTIONS } from './password.ts';
export {
  authenticate,
  SignInError,
  signInBuckets,
  throttledMessage,
  INVALID_CREDENTIALS_MESSAGE,
  type SignInFailure,
} from './credentials.ts';
export {
  takeAttempt,
  refundAttempt,
  pruneRateLimitBuckets,
  SIGN_IN_RULE,
  type ThrottleRule,
  type BucketState,
} from './throttle.ts';
export { resolveSessionUser } from './session.ts';
export { authUserSelect, type AuthUser, type Role } from './user.ts';
