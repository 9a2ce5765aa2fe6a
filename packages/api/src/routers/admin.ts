import { z } from 'zod';
import { listUsers, setRole } from '../services/users.ts';
import { adminProcedure, router } from '../trpc.ts';

export const adminRouter = router({
  users: adminProcedure
    .input(
      z.object({
        query: z.string().trim().max(254).optional(),
        limit: z.number().int().min(1).max(100).default(50),
        cursor: z.uuid().optional(),
      }),
    )
    .query(({ ctx, input }) => listUsers(ctx.db, input)),
  setRole: adminProcedure
    .input(z.object({ userId: z.uuid(), role: z.enum(['TRADER', 'INSTRUCTOR', 'ADMIN']) }))
    .mutation(({ ctx, input }) => setRole(ctx.db, input)),
});
