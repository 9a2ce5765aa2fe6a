// Where to send a browser after signing in or out: only ever a path of the app's own origin.
// Browser-safe ('@lab/auth/redirect'): the web pages and next-auth's redirect callback share it.

/** Longer callback URLs are refused outright. */
const MAX_LENGTH = 2048;

/**
 * The path (with query and hash) that `raw` leads to when a browser resolves it against `origin`,
 * or null when it would leave that origin. Parsing, not pattern matching, decides: the URL parser
 * drops tabs and newlines and reads `\` as `/`, exactly as browsers do, so `/\t/evil.example` is
 * `//evil.example`, another host. A result is never protocol-relative (`//host`).
 */
export function sameOriginPath(raw: unknown, origin: string): string | null {
  if (typeof raw !== 'string' || raw.length > MAX_LENGTH) return null;
  let base: URL;
  let url: URL;
  try {
    base = new URL(origin);
    url = new URL(raw, base);
  } catch {
    return null;
  }
  if (url.origin !== base.origin) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // A path can still begin with "//" after dot segments ("/a/..//evil.example").
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return null;
  return path;
}
