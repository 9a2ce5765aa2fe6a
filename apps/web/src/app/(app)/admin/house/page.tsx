import type { Metadata } from 'next';
import { requireSessionUser } from '@/server/session';
import { HouseBooks } from './house-books';

export const metadata: Metadata = { title: 'House books · Admin' };

export default async function AdminHousePage() {
  const user = await requireSessionUser('/admin/house');
  if (user.role !== 'ADMIN') {
    return (
      <div className="mx-auto max-w-xl rounded-lg border border-line bg-panel p-8 text-center">
        <h1 className="text-xl font-semibold">Admins only</h1>
        <p className="mt-2 text-sm text-muted">
          The house books are for platform admins. Ask an admin if you need a different role.
        </p>
      </div>
    );
  }
  return <HouseBooks />;
}
