// What the trading screen needs to explain a liquidation: the liquidation as stored, and the
// account's engine events up to it (and its own closes), oldest first. The browser replays them
// through the margin engine: the margin ratio over time, and what the same trades would have
// done under the other margin mode.
import type { Db } from '@lab/db';
import { AppError } from '../errors.ts';
import type { Actor } from './run.ts';
import { liquidationView, type LiquidationView } from './views.ts';

/** Accounts with more events than this before the liquidation are not replayed in the browser. */
export const MAX_STORY_EVENTS = 20_000;
/** Events after the trigger that can still belong to the liquidation (its closes, its cancels). */
const AFTER_TRIGGER = 200;

export interface LiquidationStory {
  liquidation: LiquidationView;
  /** Engine events (eventToJson) with their sequence numbers, oldest first. */
  events: Array<{ seq: number; type: string; payload: unknown }>;
  /** True when the account had too many events to send: `events` is then empty. */
  tooLong: boolean;
}

export async function getLiquidationStory(
  db: Db,
  actor: Actor,
  accountId: string,
  liquidationId: string,
): Promise<LiquidationStory> {
  const notFound = () =>
    new AppError('NOT_FOUND', 'No liquidation with this id on the account.', {
      field: 'liquidationId',
    });
  const owned = await db.paperAccount.findFirst({
    where: { id: accountId, ...(actor.kind === 'user' ? { userId: actor.userId } : {}) },
    select: { id: true },
  });
  if (!owned) throw new AppError('NOT_FOUND', 'Account not found.');
  const row = await db.liquidation.findFirst({
    where: { id: BigInt(liquidationId), accountId },
  });
  if (!row) throw notFound();
  const last = row.eventSeq + AFTER_TRIGGER;
  const count = await db.accountEvent.count({ where: { accountId, seq: { lte: last } } });
  if (count > MAX_STORY_EVENTS + AFTER_TRIGGER)
    return { liquidation: liquidationView(row), events: [], tooLong: true };
  const events = await db.accountEvent.findMany({
    where: { accountId, seq: { lte: last } },
    orderBy: { seq: 'asc' },
    select: { seq: true, type: true, payload: true },
  });
  return { liquidation: liquidationView(row), events, tooLong: false };
}
