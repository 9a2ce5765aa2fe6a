// Bulk rows for SQL: any number of rows passed as one JSON document that PostgreSQL turns into
// typed rows (the types given explicitly), so that a batch of hundreds of accounts is written by
// one statement (trading/persist.ts).

/** A column: its name and the PostgreSQL type of its values ("numeric", "uuid", '"MarginMode"'). */
export type Column = readonly [name: string, type: string];

/** The value of column `i` of a row `r`, typed. A jsonb column is the value itself. */
const field = (r: string, i: number, type: string) =>
  type === 'jsonb' ? `${r}->${i}` : `(${r}->>${i})::${type}`;

/**
 * `(SELECT (r->>0)::t1 AS c1, ..., ord FROM jsonb_array_elements($k::jsonb) ...) AS u` and its one
 * parameter: the rows, each an array of the columns' values, as one JSON document (no per-element
 * escaping, parsed once by PostgreSQL). A jsonb column takes the value itself (an object or an
 * array), not its JSON text; a Date is sent as its ISO string. `u.ord` is the row's position
 * (ORDER BY it when inserting, so that serial ids follow the rows' order).
 *
 * `keyIn(column)` is `= ANY (ARRAY(...))` of that column's values, read from the same parameter.
 * An UPDATE or DELETE that joins the rows adds it on its key, so that the target table is probed
 * by its index: PostgreSQL takes jsonb_array_elements for 100 rows, and would otherwise hash-join
 * them against a sequential scan of the whole table, however few rows are written.
 */
export function unnestFrom(
  columns: readonly Column[],
  rows: ReadonlyArray<readonly unknown[]>,
  firstParam = 1,
): { sql: string; params: unknown[]; keyIn: (column: string) => string } {
  const param = `$${firstParam}::jsonb`;
  const fields = columns.map(([name, type], i) => `${field('r', i, type)} AS ${name}`).join(', ');
  return {
    sql: `(SELECT ${fields}, ord FROM jsonb_array_elements(${param}) WITH ORDINALITY AS e(r, ord)) AS u`,
    params: [JSON.stringify(rows)],
    keyIn(column) {
      const i = columns.findIndex(([name]) => name === column);
      if (i < 0) throw new Error(`no column ${column}`);
      return `= ANY (ARRAY(SELECT ${field('e.r', i, columns[i]![1])} FROM jsonb_array_elements(${param}) AS e(r)))`;
    },
  };
}
