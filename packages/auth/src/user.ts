export type Role = 'TRADER' | 'INSTRUCTOR' | 'ADMIN';

/** A signed-in user as the server sees it, always loaded from the database. */
export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  /** Sessions issued with another version are no longer accepted. */
  sessionVersion: number;
}

export const authUserSelect = {
  id: true,
  email: true,
  displayName: true,
  role: true,
  sessionVersion: true,
} as const;
