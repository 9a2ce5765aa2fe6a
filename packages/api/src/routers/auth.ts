import { signUpInput } from '@lab/auth';
import { publicProcedure, router } from '../trpc.ts';
import { signUp } from '@lab/services';

export const authRouter = router({
  /** Creates the user and their personal paper account; the client then signs in through next-auth. */
  signUp: publicProcedure.input(signUpInput).mutation(async ({ ctx, input }) => {
    const { user, accountId } = await signUp(ctx.db, input);
    return { userId: user.id, email: user.email, accountId };
  }),
});
