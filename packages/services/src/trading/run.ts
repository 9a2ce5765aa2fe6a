// The one way to change an account: queue behind earlier work on it in this process, lock its row,
// load its whole engine state, let the caller's engine operation compute, persist the result, and
// commit. Who acts is explicit: a user acts only on their own accounts; the system (the worker, a
// platform reset) locks any account without pretending to be its owner.
import { transactorOf, type Db, type Prisma, type Transactor } from '@lab/db';
import type { EngineResult } from '@lab/margin-engine';
import {
  loadAccountStates,
  lockAccountStates,
  type KnownState,
  type LoadedAccount,
} from '../engine-state.ts';
import { tradesSharedAccount } from '../teaching/shared-accounts.ts';
import { AppError } from '../errors.ts';
import { KeyedQueue } from './account-queue.ts';
import {
  persistResult,
  persistResults,
  type PersistContext,
  type PersistItem,
  type Persisted,
} from './persist.ts';

export type Actor = { kind: 'user'; userId: string } | { kind: 'system'; name: string };
export const userActor = (userId: string): Actor => ({ kind: 'user', userId });
export const systemActor = (name: string): Actor => ({ kind: 'system', name });

/** What an operation returns: the engine's result to persist (if any) and a value for the caller. */
export interface Step<T> {
  result?: EngineResult;
  context?: PersistContext;
  value: T;
  /**
   * Runs in the same transaction after the result is persisted (e.g. a non-engine event), with
   * what was written.
   */
  after?: (tx: Prisma.TransactionClient, persisted: Persisted | undefined) => Promise<void>;
}

export interface RunOutcome<T> {
  value: T;
  /** The account as loaded, before the operation. */
  loaded: LoadedAccount;
  /** What was written, when the operation produced an engine result. */
  persisted?: Persisted;
  /** The engine's account after the operation (when it produced a result). */
  account?: EngineResult['account'];
}

export interface RunOptions {
  /** Act on an archived account too (restore, reads). Default: only active accounts. */
  allowArchived?: boolean;
  /**
   * The operation (and its `after`) runs raw queries only: the transaction then goes over the
   * client's pg pool without Prisma's runtime (transactorOf), as the hot path of order placement
   * does. Any other method of the transaction client throws.
   */
  rawQueriesOnly?: boolean;
}

const queue = new KeyedQueue();

/** Transaction limits: waiting happens in the queue, so the lock wait itself stays short. */
const TX_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

const notFound = () => new AppError('NOT_FOUND', 'Account not found.');

/**
 * Runs `op` on the account under its row lock and persists what it returns, in one transaction.
 * `op` must be an engine computation on `loaded.engine` (plus reads): everything it returns in
 * `result` is written, nothing else.
 */
export function runOnAccount<T>(
  db: Db,
  actor: Actor,
  accountId: string,
  op: (loaded: LoadedAccount, tx: Prisma.TransactionClient) => Promise<Step<T>> | Step<T>,
  opts: RunOptions = {},
): Promise<RunOutcome<T>> {
  const raw = opts.rawQueriesOnly ? transactorOf(db) : undefined;
  const inTransaction = <R>(fn: (tx: Prisma.TransactionClient) => Promise<R>): Promise<R> =>
    raw ? raw.transaction(fn, { timeoutMs: TX_OPTIONS.timeout }) : db.$transaction(fn, TX_OPTIONS);
  return queue.run(accountId, () =>
    inTransaction(async (tx) => {
      // one statement: lock the row (a user: only their own account) and load the whole state;
      // a member of a shared team account, not its owner, is let in after the team lookup
      const ids = [accountId];
      let loaded =
        actor.kind === 'user'
          ? (await loadAccountStates(tx, ids, { lock: true, ownerId: actor.userId })).get(accountId)
          : (await loadAccountStates(tx, ids, { lock: true })).get(accountId);
      if (
        !loaded &&
        actor.kind === 'user' &&
        (await tradesSharedAccount(tx, actor.userId, accountId))
      )
        loaded = (await loadAccountStates(tx, ids, { lock: true })).get(accountId);
      if (!loaded) throw notFound();
      if (loaded.status !== 'ACTIVE' && !opts.allowArchived)
        throw new AppError(
          'PRECONDITION',
          'This account is archived; restore it before trading on it.',
        );
      const step = await op(loaded, tx);
      const persisted = step.result
        ? await persistResult(
            tx,
            loaded,
            step.result,
            step.context ?? { market: { instruments: {}, marks: {} } },
          )
        : undefined;
      await step.after?.(tx, persisted);
      return {
        value: step.value,
        loaded,
        ...(persisted ? { persisted, account: step.result!.account } : {}),
      };
    }),
  );
}

export interface BatchOptions extends RunOptions {
  /** Transaction timeout (ms); a batch of hundreds of accounts needs more than one request. */
  timeoutMs?: number;
  /**
   * Engine states the caller holds (the worker's memory): an account still at the known version
   * under its lock is not loaded again (lockAccountStates).
   */
  known?: (id: string) => KnownState | undefined;
}

/**
 * A transaction runner whose client has the raw-query methods only (@lab/db's pgTransactor): the
 * worker passes its own for the batch path's hot loop, where Prisma's runtime cost more CPU per
 * batch than the engine did.
 */
export type { Transactor };

const NO_MARKET: PersistContext = { market: { instruments: {}, marks: {} } };

/**
 * The batch path, for the system (the worker): locks and loads every given account with one
 * statement (it takes the row locks, in id order; `known` spares the load), lets `op` compute a
 * step for each it wants to change (absent: nothing to do), persists every result with bulk
 * statements and commits, all in one transaction. Accounts that do not exist (or are archived,
 * unless allowed) are not passed to `op`. It does not go through this process's per-account
 * queue: the worker's process makes no other changes to accounts, and the row locks order it
 * against the web servers.
 */
export function runOnAccounts<T>(
  db: Db | Transactor,
  accountIds: readonly string[],
  op: (
    accounts: readonly LoadedAccount[],
    tx: Prisma.TransactionClient,
  ) => Promise<ReadonlyMap<string, Step<T>>> | ReadonlyMap<string, Step<T>>,
  opts: BatchOptions = {},
): Promise<Map<string, RunOutcome<T>>> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const run = async (tx: Prisma.TransactionClient) => {
    const states = opts.known
      ? await lockAccountStates(tx, accountIds, opts.known)
      : await loadAccountStates(tx, accountIds, { lock: true });
    const accounts = [...states.values()].filter(
      (a) => a.status === 'ACTIVE' || opts.allowArchived,
    );
    const steps = await op(accounts, tx);
    const items: Array<PersistItem & { step: Step<T> }> = [];
    for (const [id, step] of steps) {
      const loaded = states.get(id);
      if (!loaded) throw new Error(`step for account ${id}, which the batch did not load`);
      if (step.result)
        items.push({ loaded, result: step.result, ctx: step.context ?? NO_MARKET, step });
    }
    const persisted = await persistResults(tx, items);
    const out = new Map<string, RunOutcome<T>>();
    items.forEach((it, i) =>
      out.set(it.loaded.id, {
        value: it.step.value,
        loaded: it.loaded,
        persisted: persisted[i]!,
        account: it.result.account,
      }),
    );
    for (const [id, step] of steps) {
      await step.after?.(tx, out.get(id)?.persisted);
      if (!out.has(id)) out.set(id, { value: step.value, loaded: states.get(id)! });
    }
    return out;
  };
  return 'transaction' in db
    ? db.transaction(run, { timeoutMs })
    : db.$transaction(run, { maxWait: TX_OPTIONS.maxWait, timeout: timeoutMs });
}
