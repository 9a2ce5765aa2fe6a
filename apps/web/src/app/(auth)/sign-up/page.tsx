import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { defaultStartingBalance, QUOTE_ASSET } from '@lab/services';
import { env } from '@/env';
import { safeCallbackUrl } from '@/lib/callback-url';
import { formatAmount } from '@/lib/format';
import { getSessionUser } from '@/server/session';
import { SignUpForm } from './sign-up-form';

export const metadata: Metadata = { title: 'Create your account' };

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const callbackUrl = safeCallbackUrl((await searchParams).callbackUrl, {
    origin: env().NEXTAUTH_URL,
  });
  if (await getSessionUser()) redirect(callbackUrl);
  const balance = formatAmount(defaultStartingBalance().toFixed());
  return (
    <section
      aria-labelledby="sign-up-title"
      className="rounded-lg border border-line bg-panel p-8 shadow-xl shadow-black/20"
    >
      <h1 id="sign-up-title" className="text-2xl font-semibold">
        Create your account
      </h1>
      <p className="mt-1 text-sm text-muted">
        You start with a personal paper account of{' '}
        <span className="font-medium text-text">
          {balance} {QUOTE_ASSET}
        </span>
        . No real money, ever.
      </p>
      <SignUpForm callbackUrl={callbackUrl} />
      <p className="mt-6 text-center text-sm text-muted">
        Already have an account?{' '}
        <Link href="/sign-in" className="font-medium text-accent hover:underline">
          Sign in
        </Link>
      </p>
    </section>
  );
}
