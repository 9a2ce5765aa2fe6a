// Names for prepared statements. A statement sent unnamed is parsed and planned by PostgreSQL on
// every call; the account load and the one-statement persist of an engine result are long, and
// planning them cost more than running them (pg_stat_statements on the place-order benchmark:
// 1.3 ms of planning beside 1.4 ms of execution for each persist). A named statement is parsed
// once per connection, and its plan is cached.
//
// Every distinct text gets a name of its own, up to `max` texts: beyond that a statement goes
// unnamed, so SQL whose text varies (a list of placeholders that grows with the input) cannot make
// each connection hold unbounded statements. One namer per process (statementName): pg refuses a
// name that one of its connections prepared for another text, so two namers must never share a
// pool.

/** Statements that PostgreSQL prepares: not BEGIN, SET, SAVEPOINT and the like. */
const PREPARABLE = /^\s*(select|with|insert|update|delete)\b/i;
const MAX_TEXT = 64 * 1024;

/** A namer; `undefined` means unnamed (pg then parses the statement each time). */
export function statementNamer(max = 256): (sql: string) => string | undefined {
  const names = new Map<string, string>();
  return (sql) => {
    const known = names.get(sql);
    if (known !== undefined) return known;
    if (names.size >= max || sql.length > MAX_TEXT || !PREPARABLE.test(sql)) return undefined;
    const name = `lab_${names.size + 1}`;
    names.set(sql, name);
    return name;
  };
}

/** The process's namer, for every pool of this process. */
export const statementName = statementNamer();
