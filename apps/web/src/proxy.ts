// Runs before every page: a fresh nonce and the page's Content-Security-Policy. Next reads the
// policy from the request headers and puts the nonce on the scripts it renders; the response
// carries the same policy. API routes, streams and static files get theirs from next.config.ts.
import { NextResponse, type NextRequest } from 'next/server';
import { pagePolicy } from '@/lib/security-headers';

export function proxy(request: NextRequest) {
  const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  const policy = pagePolicy(nonce, process.env.NODE_ENV === 'development');
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = {
  matcher: [
    {
      source: '/((?!api/|fapi/|_next/static|_next/image|favicon.ico|icon|robots.txt).*)',
      // prefetches reuse the page's policy
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
