// Trade notes: the rationale a trader writes on an order, kept with the order (order_notes, keyed
// by the order's id) with who placed it. Written in the order's own transaction (trading/orders.ts)
// for every order a person places on a competition account (a shared team account has several
// traders) and for any order with a note. The hosts read them next to the orders and in the
// exports; a competition may require one on every order that adds risk (competitions/rules.ts).
import type { Db, Prisma } from '@lab/db';
import { requireHost, type Viewer } from '../competitions/access.ts';
import { participantOf } from '../competitions/participants.ts';
import { orderView, orderViewSelect, type OrderView } from '../trading/views.ts';

type Tx = Prisma.TransactionClient;

export const NOTE_MAX = 500;

/** The note as stored: trimmed, inner runs of whitespace kept as typed; empty is no note. */
export function cleanNote(note: string | undefined): string | undefined {
  const t = note?.trim();
  return t ? t.slice(0, NOTE_MAX) : undefined;
}

export async function recordOrderAuthor(
  tx: Tx,
  o: { orderId: string; accountId: string; authorId: string; note: string | undefined },
): Promise<void> {
  // raw: it runs in order placement's transaction, which has raw queries only (runOnAccount)
  await tx.$executeRaw`
    INSERT INTO order_notes (order_id, account_id, author_id, note)
    VALUES (${o.orderId}, ${o.accountId}::uuid, ${o.authorId}::uuid, ${o.note ?? null})`;
}

export interface NotedOrder extends OrderView {
  note: string | null;
  /** Who placed it (null: the platform, e.g. the closes at the end). */
  placedBy: string | null;
}

/** Orders of the account, newest first, each with its note and who placed it. */
export async function notedOrders(
  db: Db | Tx,
  accountId: string,
  opts: { limit: number; before?: number },
): Promise<NotedOrder[]> {
  const rows = await db.order.findMany({
    where: { accountId, ...(opts.before !== undefined ? { seq: { lt: opts.before } } : {}) },
    select: {
      ...orderViewSelect,
      note: { select: { note: true, author: { select: { displayName: true } } } },
    },
    orderBy: [{ seq: 'desc' }, { id: 'desc' }],
    take: opts.limit,
  });
  return rows.map(({ note, ...o }) => ({
    ...orderView(o),
    note: note?.note ?? null,
    placedBy: note?.author?.displayName ?? null,
  }));
}

/** A participant's orders with their notes, for the hosts (newest first, paged by seq). */
export async function participantOrders(
  db: Db,
  viewer: Viewer,
  competitionId: string,
  participantId: string,
  opts: { limit: number; before?: number },
) {
  await requireHost(db, viewer, competitionId);
  const p = await participantOf(db, competitionId, participantId);
  const orders = await notedOrders(db, p.accountId, {
    limit: opts.limit + 1,
    ...(opts.before !== undefined ? { before: opts.before } : {}),
  });
  const more = orders.length > opts.limit;
  const items = more ? orders.slice(0, opts.limit) : orders;
  return { items, nextBefore: more ? items.at(-1)!.seq : null };
}

/** The notes of the given orders, by order id (the exports). */
export async function notesOf(db: Db | Tx, orderIds: readonly string[]) {
  if (!orderIds.length) return new Map<string, { note: string | null; placedBy: string | null }>();
  const rows = await db.orderNote.findMany({
    where: { orderId: { in: [...orderIds] } },
    select: { orderId: true, note: true, author: { select: { displayName: true } } },
  });
  return new Map(
    rows.map((r) => [r.orderId, { note: r.note, placedBy: r.author?.displayName ?? null }]),
  );
}

/**
 * Whether orders on the account need a trade note: a competition account whose competition
 * requires them (the caller has checked the account is theirs, or their team's).
 */
export async function noteRequirement(
  db: Db | Tx,
  accountId: string,
): Promise<{ required: boolean; competition: string | null }> {
  const rows = await db.$queryRaw<Array<{ required: boolean; name: string }>>`
    SELECT coalesce(ct.notes_required, false) AS required, c.name
    FROM competition_participants p
    JOIN competitions c ON c.id = p.competition_id
    LEFT JOIN competition_teaching ct ON ct.competition_id = c.id
    WHERE p.account_id = ${accountId}::uuid`;
  const r = rows[0];
  return r ? { required: r.required, competition: r.name } : { required: false, competition: null };
}
