import 'server-only';
import type { SessionUser } from '@lab/api';

/** The signed-in user of this request, verified on the server (wired to next-auth by the accounts work). */
export async function getSessionUser(): Promise<SessionUser | null> {
  return null;
}
