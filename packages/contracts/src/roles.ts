// Roles of users, and market statuses: one definition each, shared by server and client.
import { z } from 'zod';

export const ROLES = ['TRADER', 'INSTRUCTOR', 'ADMIN'] as const;
export const roleSchema = z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` });
export type Role = z.infer<typeof roleSchema>;

/** Role order: each role may do what the roles before it may. */
export const ROLE_RANK: Readonly<Record<Role, number>> = { TRADER: 0, INSTRUCTOR: 1, ADMIN: 2 };
export const hasRole = (user: Role, needed: Role): boolean => ROLE_RANK[user] >= ROLE_RANK[needed];

/** Health of a market's price feed. Orders are refused, and nothing fills, unless it is 'live'. */
export const MARKET_STATUSES = ['connecting', 'live', 'stale', 'halted'] as const;
export const marketStatusSchema = z.enum(MARKET_STATUSES);
export type MarketStatus = z.infer<typeof marketStatusSchema>;

/** The platform's own market; competitions may run venues of their own. */
export const MAIN_VENUE = 'main';
export const venueId = z
  .string()
  .max(40)
  .regex(/^[a-z0-9-]{1,40}$/, 'venue must be a venue id like "main"');
