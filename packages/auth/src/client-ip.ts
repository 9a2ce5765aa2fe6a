type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(h: HeaderSource, name: string): string | undefined {
  if (h instanceof Headers) return h.get(name) ?? undefined;
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The client address for throttling. Next's server fills x-forwarded-for from the socket when the
 * request has none; behind a reverse proxy, the proxy must overwrite the header (a client could
 * otherwise pick its own address; the per-email limit holds either way).
 */
export function clientIp(h: HeaderSource): string {
  const forwarded = header(h, 'x-forwarded-for')?.split(',')[0]?.trim();
  return (forwarded || header(h, 'x-real-ip')?.trim() || 'unknown').slice(0, 64);
}
