// Shared pieces of the worker's integration tests: a migrated database of the file's own (with the
// catalogue's instruments), a pg pool on it, polling, and exact decimal comparison.
import { createDb, type Db } from '@lab/db';
import { createTestDatabase, type TestDatabase } from '@lab/db/testing';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { syncInstruments } from '../src/market/instruments.ts';

export interface WorkerTestDb {
  url: string;
  pool: pg.Pool;
  db: Db;
}

/** A fresh migrated database for this test file, with the instrument catalogue synced. */
export function useWorkerDb(): WorkerTestDb {
  let tdb: TestDatabase | undefined;
  const box = {} as WorkerTestDb;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    box.url = tdb.url;
    box.pool = new pg.Pool({ connectionString: tdb.url, max: 4 });
    box.db = createDb(tdb.url, { max: 2 });
    await syncInstruments(box.db, 'simulator');
  });
  afterAll(async () => {
    await box.pool?.end();
    await box.db?.$disconnect();
    await tdb?.drop();
  });
  return box;
}

/** Polls until `check` returns a value other than undefined/false (bounded). */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Canonical form of a decimal string, so "97000.10" (tick) equals "97000.100000000000000000" (numeric(38,18)). */
export function dec(s: string | null | undefined): string | null {
  if (s == null) return null;
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/** A log that keeps its lines for assertions. */
export function memoryLog(): { lines: string[]; log: (msg: string) => void } {
  const lines: string[] = [];
  return { lines, log: (m: string) => void lines.push(m) };
}

/** Exact decimal arithmetic for assertions: a non-negative decimal string as an integer of 1e-18 units. */
export function scaled(s: string): bigint {
  const [int, frac = ''] = s.split('.');
  return BigInt(int!) * 10n ** 18n + BigInt(frac.padEnd(18, '0').slice(0, 18) || '0');
}

export function fromScaled(v: bigint): string {
  const int = v / 10n ** 18n;
  const frac = (v % 10n ** 18n).toString().padStart(18, '0');
  return dec(`${int}.${frac}`)!;
}
