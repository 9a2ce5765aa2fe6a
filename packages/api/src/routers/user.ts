import { displayNameSchema, newPasswordSchema, passwordSchema } from '@lab/auth';
import { z } from 'zod';
import { protectedProcedure, router } from '../trpc.ts';
import { changePassword, getProfile, updateProfile } from '@lab/services';

export const userRouter = router({
  /** Authenticated no-op: the ceiling the HTTP benchmark compares trading procedures with. */
  ping: protectedProcedure.query(() => ({ ok: true as const })),
  me: protectedProcedure.query(({ ctx }) => getProfile(ctx.db, ctx.user.id)),
  updateProfile: protectedProcedure
    .input(z.object({ displayName: displayNameSchema }))
    .mutation(({ ctx, input }) => updateProfile(ctx.db, ctx.user.id, input)),
  /** Ends every session of the user, this one included: the client signs in again with the new password. */
  changePassword: protectedProcedure
    .input(z.object({ currentPassword: passwordSchema, newPassword: newPasswordSchema }))
    .mutation(({ ctx, input }) => changePassword(ctx.db, ctx.user.id, input)),
});
