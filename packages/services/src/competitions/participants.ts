// What happens to a participant's account besides trading: resets (by the student when the rules
// allow them, by a host, after a liquidation when the rule says "reset with a penalty"), going out
// (after a liquidation when the rule says "out") and being removed by a host. Each is one
// transaction under the account's lock (the reset's or closeAllAtMark's), with the participant row
// changed in it.
//
// Reset penalty: each penalized reset (the student's own, or after a liquidation) withholds
// resetPenalty x the starting balance, cumulated: after n of them the account restarts with
// S x (1 - n x penalty). When nothing would be left, the participant is out instead. A host's reset
// is a fresh start: the full starting balance, penalties cleared, and an "out" participant back in.
import { Prisma, type Db } from '@lab/db';
import { closeAllAtMark, Decimal } from '@lab/margin-engine';
import { AppError } from '../errors.ts';
import { resetAccount } from '../paper-accounts.ts';
import { marketOf, type VenuePrices } from '../trading/prices.ts';
import { runOnAccount, systemActor } from '../trading/run.ts';
import { penaltyAmount } from './settings.ts';

type Tx = Prisma.TransactionClient;

export type ResetKind = 'student' | 'host' | 'liquidation';

interface ParticipantRow {
  id: string;
  competitionId: string;
  accountId: string;
  status: 'ACTIVE' | 'OUT' | 'REMOVED';
}

async function participantUnderLock(tx: Tx, participantId: string) {
  return tx.competitionParticipant.findUniqueOrThrow({
    where: { id: participantId },
    include: { competition: { select: { startingBalance: true, resetPenalty: true } } },
  });
}

/** Thrown inside a penalized reset that would leave nothing: the participant goes out instead. */
class NothingLeft extends Error {}

/**
 * Resets the participant's account. Returns what happened: 'reset', or 'out' when a penalized
 * reset would leave nothing (then the account is closed out as it is, its equity kept).
 * `handledSeq`: the liquidation this reset answers (the rule's progress).
 */
export async function resetParticipant(
  db: Db,
  prices: VenuePrices,
  p: ParticipantRow,
  kind: ResetKind,
  opts: { handledSeq?: number } = {},
): Promise<'reset' | 'out'> {
  let withheld = new Decimal(0);
  try {
    await resetAccount(db, prices, systemActor(`competition:${kind}`), p.accountId, {
      balance: async (tx) => {
        // read under the account's lock: resets of one account are serialised by it
        const row = await participantUnderLock(tx, p.id);
        if (kind === 'host') return row.competition.startingBalance;
        withheld = new Decimal(row.penaltyWithheld.toFixed()).plus(
          penaltyAmount(row.competition.resetPenalty, row.competition.startingBalance),
        );
        const left = new Decimal(row.competition.startingBalance.toFixed()).minus(withheld);
        if (left.lte(0)) throw new NothingLeft();
        return new Prisma.Decimal(left.toFixed());
      },
      after: async (tx, moved) => {
        await tx.competitionParticipant.update({
          where: { id: p.id },
          data: {
            resets: { increment: 1 },
            penaltyWithheld: withheld.toFixed(),
            resetFlows: { increment: moved.toFixed() },
            // a host's reset lets a participant who was out back in
            ...(kind === 'host' && p.status !== 'ACTIVE'
              ? { status: 'ACTIVE', statusChangedAt: new Date() }
              : {}),
            ...(opts.handledSeq !== undefined ? { liquidationsHandledSeq: opts.handledSeq } : {}),
          },
        });
      },
    });
  } catch (e) {
    if (!(e instanceof NothingLeft)) throw e;
    await closeOutParticipant(db, prices, p, 'OUT', opts);
    return 'out';
  }
  return 'reset';
}

/**
 * Takes the participant out of trading (a liquidation with the rule "out", or a host removing
 * them): every order canceled and every position closed at the mark, and the status set, in one
 * transaction. Nothing of theirs stays open, so nothing moves afterwards.
 */
export async function closeOutParticipant(
  db: Db,
  prices: VenuePrices,
  p: ParticipantRow,
  status: 'OUT' | 'REMOVED',
  opts: { handledSeq?: number } = {},
): Promise<void> {
  await runOnAccount(
    db,
    systemActor(status === 'OUT' ? 'competition:out' : 'competition:remove'),
    p.accountId,
    async (loaded) => {
      const market = marketOf(await prices.quotes(loaded.venueId), loaded.catalogue);
      const result = closeAllAtMark(
        loaded.engine,
        market,
        Date.now(),
        status === 'OUT' ? 'competitionOut' : 'competitionRemoved',
      );
      return {
        ...(result.events.length ? { result, context: { market } } : {}),
        value: null,
        after: async (tx) => {
          await tx.competitionParticipant.update({
            where: { id: p.id },
            data: {
              status,
              statusChangedAt: new Date(),
              ...(opts.handledSeq !== undefined ? { liquidationsHandledSeq: opts.handledSeq } : {}),
            },
          });
        },
      };
    },
  );
}

/**
 * Applies the competition's after-liquidation rule to every active participant liquidated since
 * the rule last looked (the worker calls this every second or so while the competition runs).
 * Returns how many participants it acted on.
 */
export async function applyLiquidationRule(
  db: Db,
  prices: VenuePrices,
  competitionId: string,
): Promise<{ out: number; reset: number }> {
  const c = await db.competition.findUnique({
    where: { id: competitionId },
    select: { afterLiquidation: true },
  });
  const done = { out: 0, reset: 0 };
  if (!c || c.afterLiquidation === 'CONTINUE') return done;
  const liquidated = await db.$queryRaw<
    Array<{ id: string; account_id: string; status: ParticipantRow['status']; seq: number }>
  >`
    SELECT p.id::text AS id, p.account_id::text AS account_id, p.status::text AS status,
      max(l.event_seq) AS seq
    FROM competition_participants p
    JOIN liquidations l ON l.account_id = p.account_id AND l.event_seq > p.liquidations_handled_seq
    WHERE p.competition_id = ${competitionId}::uuid AND p.status = 'ACTIVE'
    GROUP BY p.id, p.account_id, p.status`;
  for (const l of liquidated) {
    const p = { id: l.id, competitionId, accountId: l.account_id, status: l.status };
    if (c.afterLiquidation === 'OUT') {
      await closeOutParticipant(db, prices, p, 'OUT', { handledSeq: l.seq });
      done.out++;
    } else {
      const r = await resetParticipant(db, prices, p, 'liquidation', { handledSeq: l.seq });
      done[r]++;
    }
  }
  return done;
}

/** The participant of the competition, or NOT_FOUND. */
export async function participantOf(
  db: Db | Tx,
  competitionId: string,
  participantId: string,
): Promise<ParticipantRow & { userId: string; resets: number }> {
  const p = await db.competitionParticipant.findFirst({
    where: { id: participantId, competitionId },
    select: {
      id: true,
      competitionId: true,
      accountId: true,
      status: true,
      userId: true,
      resets: true,
    },
  });
  if (!p)
    throw new AppError('NOT_FOUND', 'No such participant in this competition.', {
      field: 'participantId',
    });
  return p;
}
