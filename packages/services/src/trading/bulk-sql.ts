// Bulk statements over unnest(): one statement writes any number of rows, each column passed as
// one array parameter (PostgreSQL types given explicitly). The worker's batches of hundreds of
// accounts cost a dozen round trips instead of a dozen per account.
import type { Prisma } from '@lab/db';

type Tx = Prisma.TransactionClient;

/** A column: its name and the PostgreSQL type of its values ("numeric", "uuid", '"MarginMode"'). */
export type Column = readonly [name: string, type: string];

/** `SELECT * FROM unnest($k::t1[], $k+1::t2[], ...) AS u(c1, c2, ...)` and the parameters. */
export function unnestFrom(
  columns: readonly Column[],
  rows: ReadonlyArray<readonly unknown[]>,
  firstParam = 1,
): { sql: string; params: unknown[][] } {
  const params = columns.map((_, i) => rows.map((r) => r[i] ?? null));
  const args = columns.map(([, type], i) => `$${firstParam + i}::${type}[]`).join(', ');
  const names = columns.map(([name]) => name).join(', ');
  return { sql: `unnest(${args}) AS u(${names})`, params };
}

/** INSERT INTO table (columns) SELECT * FROM unnest(...) [suffix]; nothing when there are no rows. */
export async function insertRows(
  tx: Tx,
  table: string,
  columns: readonly Column[],
  rows: ReadonlyArray<readonly unknown[]>,
  suffix = '',
): Promise<number> {
  if (rows.length === 0) return 0;
  const { sql, params } = unnestFrom(columns, rows);
  const names = columns.map(([name]) => name).join(', ');
  return tx.$executeRawUnsafe(
    `INSERT INTO ${table} (${names}) SELECT ${names} FROM ${sql} ${suffix}`,
    ...params,
  );
}

/** As insertRows, returning the rows RETURNING gives. */
export async function insertRowsReturning<T>(
  tx: Tx,
  table: string,
  columns: readonly Column[],
  rows: ReadonlyArray<readonly unknown[]>,
  returning: string,
): Promise<T[]> {
  if (rows.length === 0) return [];
  const { sql, params } = unnestFrom(columns, rows);
  const names = columns.map(([name]) => name).join(', ');
  return tx.$queryRawUnsafe<T[]>(
    `INSERT INTO ${table} (${names}) SELECT ${names} FROM ${sql} RETURNING ${returning}`,
    ...params,
  );
}
