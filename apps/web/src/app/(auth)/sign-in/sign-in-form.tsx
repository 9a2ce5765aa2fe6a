'use client';
import { failedSignInMessage } from '@lab/auth/sign-in-errors';
import { signIn } from 'next-auth/react';
import { useState, type FormEvent } from 'react';
import { Field, FormAlert, SubmitButton } from '@/components/form';
import { formText } from '@/lib/form-errors';

export function SignInForm({
  callbackUrl,
  initialError,
  github,
}: {
  callbackUrl: string;
  /** The message of a known error code in the URL (never the parameter itself). */
  initialError: string | null;
  github: boolean;
}) {
  const [pending, setPending] = useState(false);
  const [formError, setFormError] = useState<string | null>(initialError);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const email = formText(data, 'email').trim();
    const password = formText(data, 'password');
    const errors: Record<string, string> = {};
    if (!email) errors.email = 'Enter your email address.';
    if (!password) errors.password = 'Enter your password.';
    setFieldErrors(errors);
    setFormError(null);
    if (Object.keys(errors).length) return;
    setPending(true);
    const res = await signIn('credentials', { email, password, redirect: false, callbackUrl });
    if (!res || res.error || !res.ok) {
      setPending(false);
      setFormError(failedSignInMessage(res?.error));
      return;
    }
    // A full navigation, so every server component (the header too) renders with the new session.
    window.location.assign(callbackUrl);
  }

  return (
    <div className="mt-6 space-y-5">
      <form
        onSubmit={(e) => void onSubmit(e)}
        noValidate
        className="space-y-4"
        aria-label="Sign in"
      >
        <FormAlert>{formError}</FormAlert>
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          inputMode="email"
          required
          maxLength={254}
          error={fieldErrors.email}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          maxLength={128}
          error={fieldErrors.password}
        />
        <SubmitButton pending={pending} pendingText="Signing in…">
          Sign in
        </SubmitButton>
      </form>
      {github ? (
        <>
          <div className="flex items-center gap-3 text-xs uppercase tracking-wider text-muted">
            <span className="h-px flex-1 bg-line" /> or <span className="h-px flex-1 bg-line" />
          </div>
          <button
            type="button"
            onClick={() => void signIn('github', { callbackUrl })}
            className="w-full rounded border border-line px-4 py-2.5 text-sm font-medium hover:border-muted"
          >
            Continue with GitHub
          </button>
        </>
      ) : null}
    </div>
  );
}
