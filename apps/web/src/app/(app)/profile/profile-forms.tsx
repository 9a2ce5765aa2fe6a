'use client';
import { useMutation } from '@tanstack/react-query';
import { signIn } from 'next-auth/react';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Field, FormAlert } from '@/components/form';
import { formErrors, formText } from '@/lib/form-errors';
import { useTRPC } from '@/trpc/react';

function SaveButton({ pending, children }: { pending: boolean; children: React.ReactNode }) {
  return (
    <button
      type="submit"
      disabled={pending}
      className="rounded bg-accent px-4 py-2 text-sm font-semibold text-on-accent hover:brightness-110 disabled:opacity-60"
    >
      {pending ? 'Saving…' : children}
    </button>
  );
}

export function DisplayNameForm({ initial }: { initial: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [saved, setSaved] = useState<string | null>(null);
  const mutation = useMutation(
    trpc.user.updateProfile.mutationOptions({
      onSuccess: (p) => {
        setSaved(`Saved. You are now “${p.displayName}”.`);
        router.refresh(); // the header shows the name
      },
    }),
  );
  const errors = formErrors(mutation.error, ['displayName']);
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSaved(null);
    mutation.mutate({ displayName: formText(new FormData(e.currentTarget), 'displayName') });
  }
  return (
    <form onSubmit={onSubmit} noValidate className="mt-4 space-y-4" aria-label="Display name">
      <FormAlert>{errors.form}</FormAlert>
      <FormAlert tone="success">{saved}</FormAlert>
      <Field
        label="Display name"
        name="displayName"
        defaultValue={initial}
        required
        maxLength={64}
        autoComplete="nickname"
        error={errors.fields.displayName}
      />
      <SaveButton pending={mutation.isPending}>Save name</SaveButton>
    </form>
  );
}

export function ChangePasswordForm({ email }: { email: string }) {
  const trpc = useTRPC();
  const [confirmError, setConfirmError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [resigning, setResigning] = useState(false);
  const mutation = useMutation(trpc.user.changePassword.mutationOptions());
  const errors = formErrors(mutation.error, ['currentPassword', 'newPassword']);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const currentPassword = formText(data, 'currentPassword');
    const newPassword = formText(data, 'newPassword');
    const confirm = formText(data, 'confirmPassword');
    setDone(null);
    mutation.reset();
    if (newPassword !== confirm) {
      setConfirmError('The two new passwords differ.');
      return;
    }
    setConfirmError(null);
    try {
      await mutation.mutateAsync({ currentPassword, newPassword });
    } catch {
      return;
    }
    // Every session ended, this one too: sign in again with the new password to stay signed in.
    setResigning(true);
    const res = await signIn('credentials', { email, password: newPassword, redirect: false });
    setResigning(false);
    form.reset();
    if (!res?.ok || res.error) {
      window.location.assign('/sign-in?callbackUrl=%2Fprofile');
      return;
    }
    setDone('Password changed. Your other sessions have been signed out.');
  }

  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      noValidate
      className="mt-4 space-y-4"
      aria-label="Change password"
    >
      <FormAlert>{errors.form}</FormAlert>
      <FormAlert tone="success">{done}</FormAlert>
      <Field
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        required
        maxLength={128}
        error={errors.fields.currentPassword}
      />
      <Field
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        required
        maxLength={128}
        error={errors.fields.newPassword}
        hint="At least 10 characters, mixing two kinds: lower case, upper case, digits or symbols."
      />
      <Field
        label="Confirm new password"
        name="confirmPassword"
        type="password"
        autoComplete="new-password"
        required
        maxLength={128}
        error={confirmError ?? undefined}
      />
      <SaveButton pending={mutation.isPending || resigning}>Change password</SaveButton>
    </form>
  );
}
