// Bulk statements: one statement writes any number of rows, passed as one JSON document that
// PostgreSQL turns into typed rows (the types given explicitly). The worker's batches of hundreds of
// accounts cost a dozen round trips instead of a dozen per account.
import type { Prisma } from '@lab/db';

type Tx = Prisma.TransactionClient;

/** A column: its name and the PostgreSQL type of its values ("numeric", "uuid", '"MarginMode"'). */
export type Column = readonly [name: string, type: string];

/**
 * `(SELECT (r->>0)::t1 AS c1, ... FROM jsonb_array_elements($k::jsonb) r) AS u` and its one
 * parameter: the rows, each an array of the columns' values, as one JSON document (no per-element
 * escaping, parsed once by PostgreSQL). A jsonb column takes the value itself (an object or an
 * array), not its JSON text; a Date is sent as its ISO string.
 */
export function unnestFrom(
  columns: readonly Column[],
  rows: ReadonlyArray<readonly unknown[]>,
  firstParam = 1,
): { sql: string; params: unknown[] } {
  const fields = columns
    .map(([name, type], i) =>
      type === 'jsonb' ? `r->${i} AS ${name}` : `(r->>${i})::${type} AS ${name}`,
    )
    .join(', ');
  return {
    sql: `(SELECT ${fields} FROM jsonb_array_elements($${firstParam}::jsonb) r) AS u`,
    params: [JSON.stringify(rows)],
  };
}

/** INSERT INTO table (columns) SELECT the rows [suffix]; nothing when there are no rows. */
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
