import { idCursor, int, roleSchema, searchText, uuid } from '@lab/contracts';
import { z } from 'zod';
import { adminProcedure, router } from '../trpc.ts';
import { houseBooks, listInsuranceMovements, listUsers, setRole } from '@lab/services';

export const adminRouter = router({
  users: adminProcedure
    .input(
      z.object({
        query: searchText('query', 254).optional(),
        limit: int('limit', { min: 1, max: 100 }).default(50),
        cursor: uuid('cursor').optional(),
      }),
    )
    .query(({ ctx, input }) => listUsers(ctx.db, input)),
  setRole: adminProcedure
    .input(z.object({ userId: uuid('userId'), role: roleSchema }))
    .mutation(({ ctx, input }) => setRole(ctx.db, input)),
  /** Balances of the house books (the insurance fund among them) and of the traders' wallets. */
  houseBooks: adminProcedure.query(({ ctx }) => houseBooks(ctx.db)),
  insuranceMovements: adminProcedure
    .input(
      z.object({
        limit: int('limit', { min: 1, max: 100 }).default(50),
        cursor: idCursor().nullish(),
      }),
    )
    .query(({ ctx, input }) => listInsuranceMovements(ctx.db, input)),
});
