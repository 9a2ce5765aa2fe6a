// Bulk rows for SQL: any number of rows passed as one JSON document that PostgreSQL turns into
// typed rows (the types given explicitly), so that a batch of hundreds of accounts is written by
// one statement (trading/persist.ts).

/** A column: its name and the PostgreSQL type of its values ("numeric", "uuid", '"MarginMode"'). */
export type Column = readonly [name: string, type: string];

/** The value of column `i` of a row `r`, typed. A jsonb column is the value itself. */
const field = (r: string, i: number, type: string) =>
  type === 'jsonb' ? `${r}->${i}` : `(${r}->>${i})::${type}`;

/**
 * `(SELECT (r->>0)::t1 AS c1, ..., ord FROM jsonb_array_elements($k::jsonb) ...) AS u` and its
 * parameters: the rows, each an array of the columns' values, as one JSON document (no
 * per-element escaping, parsed once by PostgreSQL). A jsonb column takes the value itself (an
 * object or an array), not its JSON text; a Date is sent as its ISO string. `u.ord` is the row's
 * position (ORDER BY it when inserting, so that serial ids follow the rows' order).
 *
 * A json column's values go as a document of their own, read in step with the rows (ROWS FROM)
 * as json: jsonb's input builds and sorts a tree of every value, json's only checks the text.
 * For the worker's liquidations, whose events' payloads are most of the 1.3 MB of a batch of 500
 * accounts, jsonb's input alone cost about 25 ms of PostgreSQL's CPU per batch. (Reading the
 * whole document as json is no cure: each `->>` of a json value parses it again.)
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
  // json columns: null in the rows, their values in a document each, in the rows' order
  const json = columns.flatMap(([, type], i) => (type === 'json' ? [i] : []));
  const fields = columns.map(([name, type], i) =>
    type === 'json' ? `e.${name} AS ${name}` : `${field('e.r', i, type)} AS ${name}`,
  );
  const functions = [
    `jsonb_array_elements(${param})`,
    ...json.map((_, j) => `json_array_elements($${firstParam + 1 + j}::json)`),
  ];
  const aliases = ['r', ...json.map((i) => columns[i]![0]), 'ord'];
  return {
    sql: `(SELECT ${fields.join(', ')}, ord FROM ROWS FROM (${functions.join(', ')}) WITH ORDINALITY AS e(${aliases.join(', ')})) AS u`,
    params: [
      JSON.stringify(
        json.length ? rows.map((r) => r.map((v, i) => (json.includes(i) ? null : v))) : rows,
      ),
      ...json.map((i) => JSON.stringify(rows.map((r) => r[i]))),
    ],
    keyIn(column) {
      const i = columns.findIndex(([name, type]) => name === column && type !== 'json');
      if (i < 0) throw new Error(`no key column ${column}`);
      return `= ANY (ARRAY(SELECT ${field('e.r', i, columns[i]![1])} FROM jsonb_array_elements(${param}) AS e(r)))`;
    },
  };
}
