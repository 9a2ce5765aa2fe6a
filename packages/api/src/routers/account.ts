import { decimalString, int, seqCursor, text } from '@lab/contracts';
import { z } from 'zod';
import { accountProcedure, protectedProcedure, router } from '../trpc.ts';
import {
  ACCOUNT_NAME_MAX,
  archiveAccount,
  getAccount,
  listAccountEvents,
  listAccounts,
  openAccount,
  renameAccount,
  resetAccount,
  restoreAccount,
} from '@lab/services';

const accountName = text('name', {
  max: ACCOUNT_NAME_MAX,
  required: 'Enter a name for the account.',
  tooLong: `An account name has at most ${ACCOUNT_NAME_MAX} characters.`,
});

export const accountRouter = router({
  list: protectedProcedure
    .input(
      z.object({ includeArchived: z.boolean().default(false) }).default({ includeArchived: false }),
    )
    .query(({ ctx, input }) => listAccounts(ctx.db, ctx.prices, ctx.user.id, input)),
  open: protectedProcedure
    .input(z.object({ name: accountName, startingBalance: decimalString('Starting balance') }))
    .mutation(({ ctx, input }) => openAccount(ctx.db, ctx.prices, ctx.user.id, input)),

  // Account-scoped: accountProcedure checks ownership before any of these run.
  get: accountProcedure.query(({ ctx }) =>
    getAccount(ctx.db, ctx.prices, ctx.user.id, ctx.account.id),
  ),
  events: accountProcedure
    .input(
      z.object({
        limit: int('limit', { min: 1, max: 100 }).default(50),
        /** Sequence number to page from (exclusive): the `nextCursor` of the previous page. */
        cursor: seqCursor().nullish(),
      }),
    )
    .query(({ ctx, input }) => listAccountEvents(ctx.db, ctx.user.id, ctx.account.id, input)),
  reset: accountProcedure.mutation(({ ctx }) =>
    resetAccount(ctx.db, ctx.prices, ctx.user.id, ctx.account.id),
  ),
  archive: accountProcedure.mutation(({ ctx }) =>
    archiveAccount(ctx.db, ctx.prices, ctx.user.id, ctx.account.id),
  ),
  restore: accountProcedure.mutation(({ ctx }) =>
    restoreAccount(ctx.db, ctx.prices, ctx.user.id, ctx.account.id),
  ),
  rename: accountProcedure
    .input(z.object({ name: accountName }))
    .mutation(({ ctx, input }) =>
      renameAccount(ctx.db, ctx.prices, ctx.user.id, ctx.account.id, input.name),
    ),
});
