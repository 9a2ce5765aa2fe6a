export type Role = 'TRADER' | 'INSTRUCTOR' | 'ADMIN';

/** A signed-in user as the server sees it, always loaded from the database. */
export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
}

export const authUserSelect = {
  id: true,
  email: true,
  displayName: true,
  role: true,
} as const;
