import { initTRPC, TRPCError } from '@trpc/server';
import { hasRole, uuid } from '@lab/contracts';
import { ZodError, z } from 'zod';
import type { Context, Role } from './context.ts';
import { trpcCodeFor } from './error-map.ts';
import { AppError, requireOwnedAccount, userActor } from '@lab/services';

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const zodIssues =
      cause instanceof ZodError
        ? cause.issues.map((i) => ({ field: i.path.join('.'), message: i.message }))
        : undefined;
    return {
      ...shape,
      // Never leak internals of unexpected errors to the client.
      message:
        error.code === 'INTERNAL_SERVER_ERROR'
          ? 'Something went wrong on our side.'
          : shape.message,
      data: {
        ...shape.data,
        stack: undefined,
        field: cause instanceof AppError ? cause.field : zodIssues?.[0]?.field,
        reason: cause instanceof AppError ? cause.reason : undefined,
        issues: zodIssues,
      },
    };
  },
});

/** Turns domain errors into tRPC errors. Inspect result.ok: in tRPC 11 later errors never throw here. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    const mapped = new TRPCError({ code: trpcCodeFor[cause.code], message: cause.message, cause });
    return { ...result, error: mapped };
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(mapErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to do this.' });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

const requireRole = (role: Role) =>
  protectedProcedure.use(({ ctx, next }) => {
    if (!hasRole(ctx.user.role, role)) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `This needs the ${role.toLowerCase()} role.`,
      });
    }
    return next({ ctx });
  });

export const instructorProcedure = requireRole('INSTRUCTOR');
export const adminProcedure = requireRole('ADMIN');

/**
 * Procedures about one paper account: the input carries `accountId`, and the account must belong
 * to the caller (otherwise NOT_FOUND, never a hint that it exists). Every procedure whose input has
 * an `accountId` is checked by test/authorization.test.ts.
 */
export const accountProcedure = protectedProcedure
  .input(z.object({ accountId: uuid('accountId') }))
  .use(async ({ ctx, input, next }) => {
    const account = await requireOwnedAccount(ctx.db, ctx.user.id, input.accountId);
    return next({ ctx: { ...ctx, account } });
  });

/**
 * Procedures whose service checks the account itself, with the caller as its actor, in the
 * statement that locks or reads it (runOnAccount, readAccount): the trading procedures. A lookup
 * before the service would be the same check again, one more round trip on every order. The input
 * carries `accountId`; test/authorization.test.ts holds these to the same rule as accountProcedure.
 */
export const actingProcedure = protectedProcedure
  .input(z.object({ accountId: uuid('accountId') }))
  .use(({ ctx, next }) => next({ ctx: { ...ctx, actor: userActor(ctx.user.id) } }));
