import { accountRouter } from './routers/account.ts';
import { adminRouter } from './routers/admin.ts';
import { apiKeysRouter } from './routers/api-keys.ts';
import { authRouter } from './routers/auth.ts';
import { competitionRouter } from './routers/competition.ts';
import { healthRouter } from './routers/health.ts';
import { marketRouter } from './routers/market.ts';
import { teachingRouter } from './routers/teaching.ts';
import { tradeRouter } from './routers/trade.ts';
import { userRouter } from './routers/user.ts';
import { createCallerFactory, router } from './trpc.ts';

export const appRouter = router({
  health: healthRouter,
  market: marketRouter,
  auth: authRouter,
  user: userRouter,
  account: accountRouter,
  trade: tradeRouter,
  apiKeys: apiKeysRouter,
  admin: adminRouter,
  competition: competitionRouter,
  teaching: teachingRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
