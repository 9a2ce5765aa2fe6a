'use client';
import { useMutation } from '@tanstack/react-query';
import { signIn } from 'next-auth/react';
import { useState, type FormEvent } from 'react';
import { Field, FormAlert, SubmitButton } from '@/components/form';
import { formErrors, formText } from '@/lib/form-errors';
import { useTRPC } from '@/trpc/react';

const FIELDS = ['email', 'displayName', 'password'] as const;

export function SignUpForm({ callbackUrl }: { callbackUrl: string }) {
  const trpc = useTRPC();
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const [signingIn, setSigningIn] = useState(false);
  const [signInError, setSignInError] = useState<string | null>(null);
  const errors = formErrors(signUp.error, FIELDS);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const input = {
      email: formText(data, 'email'),
      displayName: formText(data, 'displayName'),
      password: formText(data, 'password'),
    };
    setSignInError(null);
    try {
      await signUp.mutateAsync(input);
    } catch {
      return; // shown next to the fields
    }
    setSigningIn(true);
    const res = await signIn('credentials', {
      email: input.email,
      password: input.password,
      redirect: false,
      callbackUrl,
    });
    if (!res?.ok || res.error) {
      setSigningIn(false);
      setSignInError(
        'Your account was created, but signing in failed. Sign in with your new password.',
      );
      return;
    }
    window.location.assign(callbackUrl);
  }

  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      noValidate
      className="mt-6 space-y-4"
      aria-label="Create your account"
    >
      <FormAlert>{errors.form ?? signInError}</FormAlert>
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        inputMode="email"
        required
        maxLength={254}
        error={errors.fields.email}
      />
      <Field
        label="Display name"
        name="displayName"
        autoComplete="nickname"
        required
        maxLength={64}
        error={errors.fields.displayName}
        hint="Shown on leaderboards and to your instructor."
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        minLength={10}
        maxLength={128}
        error={errors.fields.password}
        hint="At least 10 characters, mixing two kinds: lower case, upper case, digits or symbols."
      />
      <SubmitButton
        pending={signUp.isPending || signingIn}
        pendingText={signingIn ? 'Signing you in…' : 'Creating your account…'}
      >
        Create account
      </SubmitButton>
    </form>
  );
}
