import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { signInErrorMessage } from '@lab/auth/sign-in-errors';
import { env } from '@/env';
import { safeCallbackUrl } from '@/lib/callback-url';
import { githubEnabled } from '@/server/auth';
import { getSessionUser } from '@/server/session';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl, { origin: env().NEXTAUTH_URL });
  if (await getSessionUser()) redirect(callbackUrl);
  // Only the message of a known code: the parameter is whatever the link's author wrote.
  const error = signInErrorMessage(params.error);
  return (
    <section
      aria-labelledby="sign-in-title"
      className="rounded-lg border border-line bg-panel p-8 shadow-xl shadow-black/20"
    >
      <h1 id="sign-in-title" className="text-2xl font-semibold">
        Sign in
      </h1>
      <p className="mt-1 text-sm text-muted">Welcome back. Your paper accounts are waiting.</p>
      <SignInForm callbackUrl={callbackUrl} initialError={error} github={githubEnabled()} />
      <p className="mt-6 text-center text-sm text-muted">
        New to Leverage Lab?{' '}
        <Link
          href={`/sign-up${callbackUrl !== '/accounts' ? `?callbackUrl=${encodeURIComponent(callbackUrl)}` : ''}`}
          className="font-medium text-accent hover:underline"
        >
          Create an account
        </Link>
      </p>
    </section>
  );
}
