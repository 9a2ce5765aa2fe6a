import { sameOriginPath } from '@lab/auth/redirect';

/** Stands in for the app's origin when NEXTAUTH_URL is not set (a path check needs some origin). */
const DEFAULT_ORIGIN = 'http://localhost';

/**
 * A path of this app to go to after signing in: `raw` parsed against the app's origin, as a
 * browser would; anything that leaves it (other sites, `//host`, `/\t/host`) falls back.
 */
export function safeCallbackUrl(
  raw: unknown,
  { origin = DEFAULT_ORIGIN, fallback = '/accounts' }: { origin?: string; fallback?: string } = {},
): string {
  return sameOriginPath(raw, origin) ?? fallback;
}
