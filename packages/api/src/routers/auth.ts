import { signUpInput } from '@lab/auth';
import { signUp } from '../services/users.ts';
import { publicProcedure, router } from '../trpc.ts';

export const authRouter = router({
  /** Creates the user and their personal paper account; the client then signs in through next-auth. */
  signUp: publicProcedure.input(signUpInput).mutation(async ({ ctx, input }) => {
    const { user, accountId } = await signUp(ctx.db, input);
    return { userId: user.id, email: user.email, accountId };
  }),
});
