// Names for prepared statements. A statement sent unnamed is parsed and planned by PostgreSQL on
// every call; the account load and the one-statement persist of an engine result are long, and
// planning them cost more than running them (pg_stat_statements on the place-order benchmark:
// 1.3 ms of planning beside 1.4 ms of execution for each persist). A named statement is parsed
// once per connection, and its plan is cached.
//
// A text gets a name when it comes back (its `repeatAfter`-th time), and at most `max` texts get
// one; the rest go unnamed. So SQL whose text varies with the input (a list of placeholders as long
// as the list) cannot make each connection hold unbounded statements, nor take the names from the
// statements that run all the time. One namer per process (statementName): pg refuses a name that
// one of its connections prepared for another text, so two namers must never share a pool.

/**
 * Starts a text that must be planned on every call with its actual parameters, never from a
 * cached generic plan: a short lookup whose generic plan, made while its table was small, stays
 * a sequential scan as the table grows (the read-back of a placed order: 13 ms at 7,661 orders in
 * the place-order benchmark, under auto_explain). Planning such a lookup costs little.
 */
export const PLANNED_EACH_CALL = '/* planned each call */';

/** Statements that PostgreSQL prepares: not BEGIN, SET, SAVEPOINT and the like. */
const PREPARABLE = /^\s*(?:\/\*[^*]*\*\/\s*)?(select|with|insert|update|delete)\b/i;
const MAX_TEXT = 64 * 1024;
/** Texts counted while they wait for a name; the count starts over when this many are waiting. */
const MAX_COUNTED = 4096;

/** A namer; `undefined` means unnamed (pg then parses the statement each time). */
export function statementNamer(
  opts: { max?: number; repeatAfter?: number } = {},
): (sql: string) => string | undefined {
  const max = opts.max ?? 256;
  const repeatAfter = opts.repeatAfter ?? 3;
  const names = new Map<string, string>();
  const seen = new Map<string, number>();
  return (sql) => {
    const known = names.get(sql);
    if (known !== undefined) return known;
    if (names.size >= max || sql.length > MAX_TEXT || !PREPARABLE.test(sql)) return undefined;
    if (sql.startsWith(PLANNED_EACH_CALL)) return undefined;
    const times = (seen.get(sql) ?? 0) + 1;
    if (times < repeatAfter) {
      if (seen.size >= MAX_COUNTED) seen.clear();
      seen.set(sql, times);
      return undefined;
    }
    seen.delete(sql);
    const name = `lab_${names.size + 1}`;
    names.set(sql, name);
    return name;
  };
}

/** The process's namer, for every pool of this process. */
export const statementName = statementNamer();
