// Bulk rows for SQL: any number of rows passed as one JSON document that PostgreSQL turns into
// typed rows (the types given explicitly), so that a batch of hundreds of accounts is written by
// one statement (trading/persist.ts).

/** A column: its name and the PostgreSQL type of its values ("numeric", "uuid", '"MarginMode"'). */
export type Column = readonly [name: string, type: string];

/**
 * `(SELECT (r->>0)::t1 AS c1, ..., ord FROM jsonb_array_elements($k::jsonb) ...) AS u` and its one
 * parameter: the rows, each an array of the columns' values, as one JSON document (no per-element
 * escaping, parsed once by PostgreSQL). A jsonb column takes the value itself (an object or an
 * array), not its JSON text; a Date is sent as its ISO string. `u.ord` is the row's position
 * (ORDER BY it when inserting, so that serial ids follow the rows' order).
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
    sql: `(SELECT ${fields}, ord FROM jsonb_array_elements($${firstParam}::jsonb) WITH ORDINALITY AS e(r, ord)) AS u`,
    params: [JSON.stringify(rows)],
  };
}

/**
 * `= ANY (ARRAY(SELECT (r->>i)::type FROM jsonb_array_elements($k::jsonb) ...))`: the values of
 * one column of the rows passed as parameter `param` (see `unnestFrom`). Added to an UPDATE or
 * DELETE beside its join with the rows, it makes the target table probed by its index: in a
 * generic plan PostgreSQL takes jsonb_array_elements for 100 rows and would otherwise hash-join
 * them against a sequential scan of the whole table, on every write of a single account.
 */
export function anyOfColumn(columns: readonly Column[], param: string, column: string): string {
  const i = columns.findIndex(([name]) => name === column);
  if (i < 0) throw new Error(`no column ${column}`);
  return `= ANY (ARRAY(SELECT (e.r->>${i})::${columns[i]![1]} FROM jsonb_array_elements(${param}::jsonb) AS e(r)))`;
}
