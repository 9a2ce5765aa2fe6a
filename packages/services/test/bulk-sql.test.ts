// unnestFrom's rows, read back by PostgreSQL: every value as sent, whatever its text holds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unnestFrom, type Column } from '../src/trading/bulk-sql.ts';
import { useTestDb } from './helpers.ts';

const t = useTestDb();

const COLUMNS: Column[] = [
  ['id', 'uuid'],
  ['name', 'text'],
  ['amount', 'numeric'],
  ['n', 'int'],
  ['flag', 'boolean'],
  ['at', 'timestamptz'],
  ['doc', 'json'],
  ['tree', 'jsonb'],
];

const readBack = async (rows: unknown[][]) => {
  const u = unnestFrom(COLUMNS, rows, 1);
  return t.db.$queryRawUnsafe<Array<Record<string, unknown>>>(
    `SELECT id::text AS id, name, amount::text AS amount, n, flag,
       (extract(epoch FROM at) * 1000)::bigint::text AS at, doc::text AS doc, tree, ord::int AS ord
     FROM ${u.sql} ORDER BY ord`,
    ...u.params,
  );
};

describe('unnestFrom', () => {
  it('reads back every text exactly: quotes, backslashes, braces, commas, spaces, NULL, unicode', async () => {
    const texts = [
      '',
      'NULL',
      'null',
      'a,b',
      '{x}',
      '"q"',
      'back\\slash',
      ' pad ',
      'é ≥ 🚀',
      '\\"',
    ];
    const rows = texts.map((name, i) => [
      `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      name,
      i % 2 ? '-0.000000000000000001' : '123456789012345678.5',
      i,
      i % 2 === 0,
      new Date(1_700_000_000_000 + i).toISOString(),
      { name, list: [1, null, 'x'] },
      i % 3 ? null : ['p', { q: name }],
    ]);
    const back = await readBack(rows);
    expect(back.map((r) => r.name)).toEqual(texts);
    expect(back.map((r) => r.ord)).toEqual(texts.map((_, i) => i + 1));
    back.forEach((r, i) => {
      expect(r.amount).toBe(rows[i]![2]);
      expect(r.n).toBe(i);
      expect(r.flag).toBe(i % 2 === 0);
      expect(r.at).toBe(String(1_700_000_000_000 + i));
      expect(JSON.parse(r.doc as string)).toEqual(rows[i]![6]);
      expect(r.tree).toEqual(rows[i]![7]);
    });
  });

  it('keeps SQL NULLs apart from the text "NULL", and reads any string back as sent', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.string({ unit: 'binary', maxLength: 20 }), { nil: null }), {
          minLength: 1,
          maxLength: 30,
        }),
        async (names) => {
          // PostgreSQL's text holds no NUL character
          const clean = names.map((s) => (s === null ? null : s.replace(/\0/g, '')));
          const rows = clean.map((name, i) => [
            `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            name,
            '1',
            i,
            true,
            null,
            null,
            null,
          ]);
          expect((await readBack(rows)).map((r) => r.name)).toEqual(clean);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('refuses a value it cannot write as text, rather than writing [object Object]', () => {
    expect(() => unnestFrom(COLUMNS.slice(0, 3), [['x', 'y', { amount: 1 }]])).toThrow(
      /object value cannot go in an array literal/,
    );
  });

  it('keyIn reads the key column from its own array', async () => {
    const u = unnestFrom(COLUMNS.slice(0, 2), [
      ['00000000-0000-4000-8000-000000000001', 'a'],
      ['00000000-0000-4000-8000-000000000002', 'b'],
    ]);
    const rows = await t.db.$queryRawUnsafe<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM ${u.sql} WHERE u.id ${u.keyIn('id')}`,
      ...u.params,
    );
    expect(rows[0]!.n).toBe(2);
    expect(() => u.keyIn('missing')).toThrow(/no key column/);
  });
});
