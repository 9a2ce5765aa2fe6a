import type { Metadata } from 'next';
import { formatDate } from '@/lib/format';
import { requireSessionUser } from '@/server/session';
import { serverCaller } from '@/trpc/server';
import { ChangePasswordForm, DisplayNameForm } from './profile-forms';

export const metadata: Metadata = { title: 'Profile' };

const ROLE = { TRADER: 'Trader', INSTRUCTOR: 'Instructor', ADMIN: 'Admin' } as const;

export default async function ProfilePage() {
  await requireSessionUser('/profile');
  const me = await (await serverCaller()).user.me();
  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Profile</h1>
        <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
          <dt className="text-muted">Email</dt>
          <dd>{me.email}</dd>
          <dt className="text-muted">Role</dt>
          <dd>{ROLE[me.role]}</dd>
          <dt className="text-muted">Member since</dt>
          <dd>{formatDate(me.createdAt)}</dd>
        </dl>
      </div>
      <section aria-labelledby="name-title" className="rounded-lg border border-line bg-panel p-6">
        <h2 id="name-title" className="text-lg font-medium">
          Display name
        </h2>
        <p className="mt-1 text-sm text-muted">
          Shown at the top of every page while you are signed in.
        </p>
        <DisplayNameForm initial={me.displayName} />
      </section>
      <section
        aria-labelledby="password-title"
        className="rounded-lg border border-line bg-panel p-6"
      >
        <h2 id="password-title" className="text-lg font-medium">
          Password
        </h2>
        {me.hasPassword ? (
          <>
            <p className="mt-1 text-sm text-muted">Changing it signs you out everywhere else.</p>
            <ChangePasswordForm email={me.email} />
          </>
        ) : (
          <p className="mt-1 text-sm text-muted">
            You sign in with GitHub; this account has no password.
          </p>
        )}
      </section>
    </div>
  );
}
