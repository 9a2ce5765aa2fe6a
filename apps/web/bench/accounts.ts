// The accounts of the account-stream benchmark: users made by the sign-up service (argon2, so a
// few at a time), each with MAX_ACTIVE_ACCOUNTS paper accounts (the personal one and extras
// opened by the service), one position per account placed through the trading service at the
// live marks, and each user signed in over HTTP through next-auth's credentials callback, for a
// real session cookie.
import type { Db } from '@lab/db';
import { CATALOGUE, Decimal } from '@lab/margin-engine';
import {
  MAX_ACTIVE_ACCOUNTS,
  openAccount,
  placeOrder,
  userActor,
  type VenuePrices,
} from '@lab/services';
import { createUser } from '@lab/services/testing';

export interface BenchAccount {
  accountId: string;
  userId: string;
  symbol: string;
  /** The user's session cookie header and client address. */
  cookie: string;
  address: string;
}

/** Runs `fn` over `items`, `concurrency` at a time. */
async function pool<T, R>(items: T[], concurrency: number, fn: (t: T, i: number) => Promise<R>) {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** A quantity worth about `notional` USDT at `mark`, a whole number of lots. */
function quantityFor(symbol: string, mark: string, notional: number): string {
  const lot = CATALOGUE[symbol]!.lotSize;
  return new Decimal(notional).div(mark).div(lot).floor().mul(lot).toFixed();
}

/** Signs in over HTTP (CSRF token, then the credentials callback): the session cookie header. */
export async function signIn(
  base: string,
  email: string,
  password: string,
  address: string,
): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`, { headers: { 'x-forwarded-for': address } });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = (h: Headers) => h.getSetCookie().map((c) => c.split(';')[0]!);
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: jar(csrf.headers).join('; '),
      'x-forwarded-for': address,
    },
    body: new URLSearchParams({ csrfToken, email, password, json: 'true', callbackUrl: '/' }),
  });
  const session = jar(res.headers).filter((c) => c.startsWith('next-auth.session-token'));
  if (res.status !== 200 || !session.length)
    throw new Error(`sign-in of ${email} failed: ${res.status} ${await res.text()}`);
  return session.join('; ');
}

export async function createBenchAccounts(opts: {
  db: Db;
  prices: VenuePrices;
  base: string;
  users: number;
  symbols: readonly string[];
  log: (m: string) => void;
}): Promise<BenchAccount[]> {
  const { db, prices, base, log } = opts;
  const t0 = performance.now();
  const users = await pool(
    Array.from({ length: opts.users }, (_, i) => i),
    4,
    async (i) => {
      const u = await createUser(db, { displayName: `Bench ${i}` });
      const ids = [u.accountId];
      for (let k = 1; k < MAX_ACTIVE_ACCOUNTS; k++) {
        const a = await openAccount(db, prices, u.user.id, {
          name: `Bench ${k}`,
          startingBalance: '10000',
        });
        ids.push(a.id);
      }
      return { ...u, ids, address: `2001:db8:be::${i.toString(16)}` };
    },
  );
  log(
    `${users.length} users x ${MAX_ACTIVE_ACCOUNTS} accounts in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  const t1 = performance.now();
  const quotes = await prices.quotes('main');
  const accounts = users.flatMap((u) => u.ids.map((accountId, k) => ({ u, accountId, k })));
  await pool(accounts, 8, async ({ u, accountId }, i) => {
    const symbol = opts.symbols[i % opts.symbols.length]!;
    const mark = quotes.get(symbol)?.markPrice;
    if (!mark) throw new Error(`no mark for ${symbol}`);
    await placeOrder(db, prices, userActor(u.user.id), accountId, {
      symbol,
      side: i % 2 ? 'sell' : 'buy',
      type: 'market',
      quantity: quantityFor(symbol, mark, 2000),
    });
  });
  log(`${accounts.length} positions opened in ${((performance.now() - t1) / 1000).toFixed(1)} s`);

  const t2 = performance.now();
  const cookies = await pool(users, 4, (u) => signIn(base, u.email, u.password, u.address));
  log(
    `${users.length} users signed in over HTTP in ${((performance.now() - t2) / 1000).toFixed(1)} s`,
  );
  return accounts.map(({ u, accountId }, i) => ({
    accountId,
    userId: u.user.id,
    symbol: opts.symbols[i % opts.symbols.length]!,
    cookie: cookies[users.indexOf(u)]!,
    address: u.address,
  }));
}
