// Bot API keys of a paper account (the Binance-compatible /fapi API): list, create (the secret is
// in the answer once, and never again), revoke. accountProcedure checks ownership first.
import { text, uuid } from '@lab/contracts';
import { createApiKey, listApiKeys, MAX_ALLOWED_IPS, revokeApiKey } from '@lab/services';
import { z } from 'zod';
import { accountProcedure, router } from '../trpc.ts';

const ip = z
  .string({ error: 'An allowed address must be text' })
  .max(45, 'An allowed address is an IPv4 or IPv6 address like 203.0.113.7');

export const apiKeysRouter = router({
  list: accountProcedure.query(({ ctx }) => listApiKeys(ctx.db, ctx.user.id, ctx.account.id)),
  create: accountProcedure
    .input(
      z.object({
        label: text('label', {
          max: 64,
          required: 'Name the key (for example, the bot that uses it).',
          tooLong: 'A key name has at most 64 characters.',
        }),
        permission: z.enum(['read', 'trade'], { error: 'Permission is read or trade' }),
        ipAllowList: z
          .array(ip)
          .max(MAX_ALLOWED_IPS, `At most ${MAX_ALLOWED_IPS} allowed addresses per key`)
          .default([]),
      }),
    )
    .mutation(({ ctx, input }) => createApiKey(ctx.db, ctx.user.id, ctx.account.id, input)),
  revoke: accountProcedure
    .input(z.object({ apiKeyId: uuid('apiKeyId') }))
    .mutation(({ ctx, input }) =>
      revokeApiKey(ctx.db, ctx.user.id, ctx.account.id, input.apiKeyId),
    ),
});
