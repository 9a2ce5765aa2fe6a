// Bulk rows for SQL: any number of rows passed as one array parameter per column, read in step by
// PostgreSQL (ROWS FROM unnest(...)), so that a batch of hundreds of accounts is written by one
// statement (trading/persist.ts).

/** A column: its name and the PostgreSQL type of its values ("numeric", "uuid", '"MarginMode"'). */
export type Column = readonly [name: string, type: string];

const isDocument = (type: string) => type === 'json' || type === 'jsonb';

/** `"v"`, with the array literal's escapes (a backslash before `"` and `\`). */
const quoted = (v: string) => `"${/["\\]/.test(v) ? v.replace(/["\\]/g, '\\$&') : v}"`;

/** A number, bigint or boolean as array-literal text; anything else is a caller's bug, said loudly. */
function scalarText(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  throw new TypeError(`bulk-sql: a ${typeof v} value cannot go in an array literal; pass its text`);
}

/** One column's values as a PostgreSQL array literal: strings quoted, null as NULL. */
function arrayLiteral(rows: ReadonlyArray<readonly unknown[]>, i: number): string {
  const out = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const v = rows[r]![i];
    out[r] =
      v === null || v === undefined
        ? 'NULL'
        : typeof v === 'string'
          ? quoted(v)
          : v instanceof Date
            ? quoted(v.toISOString())
            : scalarText(v);
  }
  return `{${out.join(',')}}`;
}

/**
 * `ROWS FROM (unnest($k::t1[]), ...) WITH ORDINALITY AS u(c1, ..., ord)` and its parameters: one
 * array per column, whose elements PostgreSQL's array input hands straight to each type's input
 * function. (The rows went as one jsonb document before: its parse, and the text extracted from
 * it for every field, cost about a sixth of PostgreSQL's CPU in the worker's liquidation cascade.)
 * A json or jsonb column goes as a JSON document of its values instead (an array literal would
 * escape every quote of every value), read in step as json or jsonb: a json value is only checked,
 * where jsonb's input builds and sorts a tree. A Date is sent as its ISO string. `u.ord` is the
 * row's position (ORDER BY it when inserting, so that serial ids follow the rows' order).
 *
 * `keyIn(column)` is `= ANY($k::t[])` of that column's array. An UPDATE or DELETE that joins the
 * rows adds it on its key, so that the target table is probed by its index: PostgreSQL plans a
 * set-returning function at a fixed guess of rows, and would otherwise hash-join them against a
 * sequential scan of the whole table, however few rows are written.
 */
export function unnestFrom(
  columns: readonly Column[],
  rows: ReadonlyArray<readonly unknown[]>,
  firstParam = 1,
): { sql: string; params: unknown[]; keyIn: (column: string) => string } {
  const params: unknown[] = [];
  const refs: string[] = [];
  const functions = columns.map(([, type], i) => {
    const ref = `$${firstParam + params.length}`;
    refs.push(ref);
    if (isDocument(type)) {
      params.push(JSON.stringify(rows.map((r) => r[i] ?? null)));
      return `${type}_array_elements(${ref}::${type})`;
    }
    params.push(arrayLiteral(rows, i));
    return `unnest(${ref}::${type}[])`;
  });
  const names = columns.map(([name]) => name);
  return {
    sql: `ROWS FROM (${functions.join(', ')}) WITH ORDINALITY AS u(${names.join(', ')}, ord)`,
    params,
    keyIn(column) {
      const i = columns.findIndex(([name, type]) => name === column && !isDocument(type));
      if (i < 0) throw new Error(`no key column ${column}`);
      return `= ANY (${refs[i]}::${columns[i]![1]}[])`;
    },
  };
}
