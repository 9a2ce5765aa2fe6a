// The house's side of the double-entry ledger, for admins: the balance of each house book (the
// insurance fund among them), the traders' wallets, and the insurance fund's movements. Every
// book together sums to zero: money is only moved, never made or lost.
import { Prisma, type Db } from '@lab/db';
import { HOUSE, HOUSE_BOOKS } from './ledger-lines.ts';
import type { Page, PageQuery } from './read-models.ts';

export interface HouseBook {
  book: string;
  balance: string;
  entries: number;
}

export interface HouseBooks {
  books: HouseBook[];
  /** Liquidation fees in, shortfalls out: the balance of house:insurance. */
  insuranceFund: string;
  /** Sum of every account book: all the paper money traders hold. */
  traderWallets: string;
  accounts: number;
  /** Every book together: zero when the ledger balances. */
  total: string;
  liquidations: number;
  /** Liquidations and fills whose loss the insurance fund paid. */
  shortfalls: { count: number; amount: string };
}

/** Balances of the house books and of the traders' books, from the ledger. */
export async function houseBooks(db: Db): Promise<HouseBooks> {
  return db.$transaction(
    async (tx) => {
      const byBook = await tx.ledgerEntry.groupBy({
        by: ['book'],
        where: { book: { in: [...HOUSE_BOOKS] } },
        _sum: { amount: true },
        _count: { _all: true },
      });
      const traders = await tx.$queryRaw<Array<{ sum: Prisma.Decimal | null; accounts: bigint }>>`
        SELECT sum(amount) AS sum, count(DISTINCT book) AS accounts
          FROM ledger_entries WHERE book LIKE 'account:%'`;
      const shortfall = await tx.ledgerEntry.aggregate({
        where: { book: HOUSE.insurance, kind: 'shortfall' },
        _sum: { amount: true },
        _count: { _all: true },
      });
      const liquidations = await tx.liquidation.count();
      const found = new Map(byBook.map((b) => [b.book, b]));
      const books = HOUSE_BOOKS.map((book) => {
        const b = found.get(book);
        return {
          book,
          balance: (b?._sum.amount ?? new Prisma.Decimal(0)).toFixed(),
          entries: b?._count._all ?? 0,
        };
      });
      const wallets = traders[0]?.sum ?? new Prisma.Decimal(0);
      const total = books.reduce((s, b) => s.plus(b.balance), new Prisma.Decimal(wallets));
      return {
        books,
        insuranceFund: books.find((b) => b.book === HOUSE.insurance)!.balance,
        traderWallets: wallets.toFixed(),
        accounts: Number(traders[0]?.accounts ?? 0),
        total: total.toFixed(),
        liquidations,
        shortfalls: {
          count: shortfall._count._all,
          amount: (shortfall._sum.amount ?? new Prisma.Decimal(0)).negated().toFixed(),
        },
      };
    },
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
  );
}

export interface InsuranceMovement {
  id: string;
  /** liquidationFee (in) or shortfall (out). */
  kind: string;
  /** Signed, from the fund's side: positive in. */
  amount: string;
  accountId: string | null;
  seq: number | null;
  time: number;
}

/** The insurance fund's movements, newest first; cursor = the line id of the previous page. */
export async function listInsuranceMovements(
  db: Db,
  q: PageQuery,
): Promise<Page<InsuranceMovement>> {
  const rows = await db.ledgerEntry.findMany({
    where: { book: HOUSE.insurance, ...(q.cursor ? { id: { lt: BigInt(q.cursor) } } : {}) },
    orderBy: { id: 'desc' },
    take: q.limit + 1,
  });
  const items = rows.slice(0, q.limit);
  return {
    items: items.map((r) => ({
      id: r.id.toString(),
      kind: r.kind,
      amount: r.amount.toFixed(),
      accountId: r.accountId,
      seq: r.eventSeq,
      time: r.createdAt.getTime(),
    })),
    nextCursor: rows.length > q.limit && items.length ? Number(items.at(-1)!.id) : null,
  };
}
