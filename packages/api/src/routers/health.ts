import { publicProcedure, router } from '../trpc.ts';
import { checkHealth } from '@lab/services';

export const healthRouter = router({
  check: publicProcedure.query(({ ctx }) => checkHealth(ctx.db)),
});
