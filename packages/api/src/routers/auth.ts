import { signUpInput } from '@lab/auth';
import { publicProcedure, router } from '../trpc.ts';
import { signUpFromAddress } from '@lab/services';

export const authRouter = router({
  /**
   * Creates the user and their personal paper account (throttled per client address); the client
   * then signs in through next-auth.
   */
  signUp: publicProcedure.input(signUpInput).mutation(async ({ ctx, input }) => {
    const { user, accountId } = await signUpFromAddress(ctx.db, ctx.ip, input);
    return { userId: user.id, email: user.email, accountId };
  }),
});
