import type { Metadata } from 'next';
import { requireSessionUser } from '@/server/session';
import { UsersAdmin } from './users-admin';

export const metadata: Metadata = { title: 'Users · Admin' };

export default async function AdminUsersPage() {
  const user = await requireSessionUser('/admin/users');
  if (user.role !== 'ADMIN') {
    return (
      <div className="mx-auto max-w-xl rounded-lg border border-line bg-panel p-8 text-center">
        <h1 className="text-xl font-semibold">Admins only</h1>
        <p className="mt-2 text-sm text-muted">
          This page is for platform admins. Ask an admin if you need a different role.
        </p>
      </div>
    );
  }
  return <UsersAdmin currentUserId={user.id} />;
}
