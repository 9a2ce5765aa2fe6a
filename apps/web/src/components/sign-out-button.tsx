'use client';
import { signOut } from 'next-auth/react';
import { useState } from 'react';

export function SignOutButton() {
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      disabled={pending}
      onClick={() => {
        setPending(true);
        void signOut({ callbackUrl: '/' });
      }}
      className="whitespace-nowrap rounded px-2 py-1.5 text-muted hover:text-text disabled:opacity-60 sm:px-3"
    >
      {pending ? 'Signing out…' : 'Sign out'}
    </button>
  );
}
