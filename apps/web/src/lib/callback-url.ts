/** A same-site path to go to after signing in; anything else (other sites, //host) falls back. */
export function safeCallbackUrl(raw: unknown, fallback = '/accounts'): string {
  if (
    typeof raw !== 'string' ||
    !raw.startsWith('/') ||
    raw.startsWith('//') ||
    raw.startsWith('/\\')
  )
    return fallback;
  return raw;
}
