// Fuzz run over HTTP against the production server: random, boundary and malformed requests to
// every trading procedure (and the admin house books), as a trader with a real session cookie,
// as another trader, and signed out; tRPC batches (?batch=1) of many calls on one account,
// oversized and malformed bodies, wrong methods, unknown procedures. Requests go one at a time so
// that each can be judged alone:
//   - no answer (nor any call of a batch) is a 5xx;
//   - a refused request (4xx, or a batch whose every call failed) leaves the database unchanged:
//     the rows and the sums of money of every trading table are compared before and after.
// At the end every account equals the replay of its events and the ledger balances.
// Loopback only; bounded by --requests and --max-minutes.
//
//   node --import tsx scripts/fuzz/trading.ts [--requests 10000] [--seed N] [--max-minutes 40]
import { isDeepStrictEqual, parseArgs } from 'node:util';
import pg from 'pg';
import { createDb } from '@lab/db';
import { accountToJson, eventFromJson, replay } from '@lab/margin-engine';
import { loadAccountState } from '@lab/services';
import type { HttpClient, Response } from '../bench/lib/http.ts';
import { newTrader, startPlatform, waitForLiveMarket, type Trader } from '../bench/lib/platform.ts';
import { mutate, rng, SYMBOLS, validInput, type FuzzCtx, type Rng } from './inputs.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    'max-minutes': { type: 'string', default: '40' },
  },
});
const total = Number(values.requests);
const seed = Number(values.seed);
const deadline = Date.now() + Number(values['max-minutes']) * 60_000;
const log = (m: string) => console.log(`[fuzz] ${m}`);

const MUTATIONS = [
  'trade.placeOrder',
  'trade.amendOrder',
  'trade.cancelOrder',
  'trade.cancelAllOrders',
  'trade.closePosition',
  'trade.setLeverage',
  'trade.setMarginMode',
  'trade.adjustMargin',
];
const QUERIES = [
  'trade.previewOrder',
  'trade.summary',
  'trade.positions',
  'trade.settings',
  'trade.order',
  'trade.openOrders',
  'trade.orderHistory',
  'trade.fills',
  'trade.fundingPayments',
  'trade.liquidations',
  'trade.ledger',
];
const ADMIN = ['admin.houseBooks', 'admin.insuranceMovements'];
const LISTS = [
  'trade.openOrders',
  'trade.orderHistory',
  'trade.fills',
  'trade.fundingPayments',
  'trade.liquidations',
  'trade.ledger',
];

/** Rows and money of every trading table: a refused request must not change any of it. */
/**
 * The account events the worker writes when prices move: fills of resting orders, triggers,
 * expiries, liquidations (with their cancels) and funding. A refused request writes nothing, and
 * anything the API writes starts with an event of its own (orderAccepted, orderAmended, a cancel
 * by the user, a leverage or margin change).
 */
const PRICE_MOVE_EVENTS = new Set([
  'orderTriggered',
  'fill',
  'positionChanged',
  'orderExpired',
  'liquidationTriggered',
  'liquidation',
  'fundingPaid',
]);

/**
 * Whether a change of the database is the worker's: some account events were written (each
 * account's after its last event seq in `from`, up to its last in `to`: objects of account id to
 * seq) and every one of them is of PRICE_MOVE_EVENTS or a cancel not by the user.
 */
async function byTheWorker(db: pg.Client, from: string, to: string): Promise<boolean> {
  const rows = (
    await db.query<{ type: string; reason: string | null }>(
      `SELECT e.type, e.payload->>'reason' AS reason
       FROM json_each_text($2::json) a LEFT JOIN json_each_text($1::json) b ON b.key = a.key
       JOIN account_events e ON e.account_id = a.key::uuid
         AND e.seq > coalesce(b.value::int, 0) AND e.seq <= a.value::int`,
      [from, to],
    )
  ).rows;
  return (
    rows.length > 0 &&
    rows.every(
      (e) => PRICE_MOVE_EVENTS.has(e.type) || (e.type === 'orderCanceled' && e.reason !== 'user'),
    )
  );
}

const FINGERPRINT = `SELECT json_build_object(
  'accounts', (SELECT count(*) || '/' || coalesce(sum(wallet_balance), 0) || '/' || coalesce(sum(version), 0)
                   || '/' || coalesce(sum(next_order_seq), 0) || '/' || coalesce(sum(last_event_seq), 0) FROM paper_accounts),
  'statuses', (SELECT string_agg(status || ':' || n, ',' ORDER BY status) FROM
                 (SELECT status, count(*) AS n FROM paper_accounts GROUP BY status) s),
  'events', (SELECT count(*) FROM account_events),
  'orders', (SELECT count(*) || '/' || coalesce(sum(quantity), 0) || '/' || coalesce(sum(price), 0)
                 || '/' || coalesce(sum(filled_quantity), 0) FROM orders),
  'orderStatuses', (SELECT string_agg(status || ':' || n, ',' ORDER BY status) FROM
                 (SELECT status, count(*) AS n FROM orders GROUP BY status) s),
  'statusChanges', (SELECT count(*) FROM order_status_changes),
  'fills', (SELECT count(*) || '/' || coalesce(sum(quantity * price), 0) || '/' || coalesce(sum(fee), 0) FROM fills),
  'positions', (SELECT count(*) || '/' || coalesce(sum(quantity), 0) || '/' || coalesce(sum(cost_basis), 0)
                 || '/' || coalesce(sum(isolated_wallet), 0) FROM positions),
  'settings', (SELECT count(*) || '/' || coalesce(sum(leverage), 0) || '/' ||
                 count(*) FILTER (WHERE margin_mode = 'ISOLATED') FROM account_symbol_settings),
  'funding', (SELECT count(*) || '/' || coalesce(sum(amount), 0) FROM funding_payments),
  'liquidations', (SELECT count(*) FROM liquidations),
  'ledger', (SELECT count(*) || '/' || coalesce(sum(amount), 0) || '/' || coalesce(sum(abs(amount)), 0) FROM ledger_entries),
  'users', (SELECT count(*) || '/' || string_agg(role::text, ',' ORDER BY id) FROM users)
) AS f, (SELECT coalesce(json_object_agg(id, last_event_seq), '{}')::text FROM paper_accounts) AS last_event`;

type Ctx = FuzzCtx;

interface Sent {
  label: string;
  res: Response;
  /** Whether the request as a whole was refused (then nothing may have changed). */
  refused: boolean;
  /** A 5xx anywhere (the response, or a call of a batch). */
  serverError: boolean;
}

function judge(label: string, res: Response): Sent {
  const body = res.json;
  if (Array.isArray(body)) {
    const items = body as Array<{ error?: { data?: { httpStatus?: number } } }>;
    const statuses = items.map((i) => (i.error ? (i.error.data?.httpStatus ?? 500) : 200));
    return {
      label,
      res,
      refused: statuses.every((s) => s >= 400),
      serverError: res.status >= 500 || statuses.some((s) => s >= 500),
    };
  }
  return { label, res, refused: res.status >= 400, serverError: res.status >= 500 };
}

/** The account's orders to aim at: the open ones first (amend and cancel need them), then others. */
async function refreshCtx(db: pg.Client, http: HttpClient, a: Trader, ctx: Ctx) {
  const limits = await db.query<{ id: string; symbol: string; price: string }>(
    `SELECT id, symbol, price::text FROM orders WHERE account_id = $1 AND current_type = 'limit'
      AND status IN ('new', 'partiallyFilled') ORDER BY seq DESC LIMIT 20`,
    [a.accountId],
  );
  ctx.openLimits = limits.rows;
  const rows = await db.query<{ id: string; order_no: string; client_order_id: string | null }>(
    `SELECT id, order_no::text, client_order_id FROM orders WHERE account_id = $1
      ORDER BY status IN ('new', 'partiallyFilled', 'untriggered') DESC, seq DESC LIMIT 40`,
    [a.accountId],
  );
  ctx.orderIds = rows.rows.map((r) => r.id);
  ctx.orderNos = rows.rows.map((r) => r.order_no);
  ctx.clientIds = rows.rows.flatMap((r) => (r.client_order_id ? [r.client_order_id] : []));
  for (const symbol of SYMBOLS.slice(0, 3)) {
    const res = await http.query('market.ticker', { symbol }, a);
    const mark = (res.json as { result?: { data?: { markPrice?: string } } }).result?.data
      ?.markPrice;
    if (mark) ctx.marks[symbol] = Number(mark);
  }
}

/**
 * The hardening checklist, for every procedure and field: a NUL byte in each string field (and
 * in the account id), the cursor 2147483648 and the time 9007199254740991.
 */
function checklist(r: Rng, who: { a: Trader }, ctx: Ctx, http: HttpClient) {
  const out: Array<{ label: string; send: () => Promise<Response> }> = [];
  for (const p of [...MUTATIONS, ...QUERIES]) {
    const mutation = MUTATIONS.includes(p);
    const call = (input: unknown) => () =>
      mutation ? http.mutation(p, input, who.a) : http.query(p, input, who.a);
    const valid: Record<string, unknown> = { accountId: who.a.accountId, ...validInput(r, p, ctx) };
    for (const [field, v] of Object.entries(valid))
      if (typeof v === 'string')
        out.push({
          label: `NUL in ${p}.${field}`,
          send: call({ ...valid, [field]: `${v}\u0000` }),
        });
    if (LISTS.includes(p)) {
      out.push({ label: `cursor 2^31 ${p}`, send: call({ ...valid, cursor: 2147483648 }) });
      out.push({ label: `time 2^53-1 ${p}`, send: call({ ...valid, from: 9007199254740991 }) });
    }
  }
  return out;
}

/** One request of the mix. */
function nextRequest(
  r: Rng,
  http: HttpClient,
  who: { a: Trader; b: Trader; admin: Trader },
  ctx: Ctx,
): { label: string; send: () => Promise<Response> } {
  const k = r.next();
  const input = (procedure: string, accountId: string) => {
    const m = mutate(r, validInput(r, procedure, ctx), ctx);
    return m && typeof m === 'object' && !Array.isArray(m) ? { accountId, ...m } : m;
  };
  const accountFor = () =>
    r.chance(0.06) ? r.pick([who.b.accountId, crypto.randomUUID(), 'nope', '']) : who.a.accountId;
  const caller = () =>
    r.chance(0.05) ? { cookie: '', ip: who.a.ip } : r.chance(0.05) ? who.b : who.a;

  if (k < 0.1) {
    // a batch of calls on one account: within the limit, at it, and beyond it
    const n = r.pick([2, 3, 5, 10, 10, 11, 30]);
    const mutation = r.chance(0.5);
    const procs = Array.from({ length: n }, () => r.pick(mutation ? MUTATIONS : QUERIES));
    const inputs = Object.fromEntries(procs.map((p, i) => [String(i), input(p, who.a.accountId)]));
    const path = `/api/trpc/${procs.join(',')}?batch=1`;
    return {
      label: `batch(${n}, ${mutation ? 'mutations' : 'queries'})`,
      send: () =>
        mutation
          ? http.post(path, inputs, who.a)
          : http.get(`${path}&input=${encodeURIComponent(JSON.stringify(inputs))}`, who.a),
    };
  }
  if (k < 0.13) {
    const p = r.pick(MUTATIONS);
    return {
      label: `oversized ${p}`,
      send: () =>
        http.post(
          `/api/trpc/${p}`,
          { accountId: who.a.accountId, clientOrderId: 'x'.repeat(70_000) },
          who.a,
        ),
    };
  }
  if (k < 0.17) {
    const p = r.pick([...MUTATIONS, ...QUERIES]);
    const forms = [
      () => http.request('POST', `/api/trpc/${p}`, '{"accountId":', who.a),
      () =>
        http.request('POST', `/api/trpc/${p}`, 'accountId=1', {
          ...who.a,
          contentType: 'text/plain',
        }),
      () => http.get(`/api/trpc/${p}?input=%7B%22accountId`, who.a),
      () => http.get(`/api/trpc/${p}?input=${encodeURIComponent('"\u0000"')}`, who.a),
      () => http.get(`/api/trpc/${p}%ZZ`, who.a),
      () => http.post(`/api/trpc/${p}?batch=1`, { 0: { accountId: who.a.accountId } }, who.a),
    ];
    const i = r.int(forms.length);
    return { label: `malformed#${i} ${p}`, send: forms[i]! };
  }
  if (k < 0.2) {
    // the wrong method, an unknown procedure
    if (r.chance(0.5)) {
      const p = r.pick(MUTATIONS);
      return {
        label: `GET ${p}`,
        send: () => http.query(p, input(p, who.a.accountId), who.a),
      };
    }
    return {
      label: 'unknown procedure',
      send: () =>
        http.post(`/api/trpc/trade.${r.pick(['drop', 'transfer', '__proto__'])}`, {}, who.a),
    };
  }
  if (k < 0.24) {
    const p = r.pick(ADMIN);
    const as = r.chance(0.5) ? who.admin : who.a;
    const m = mutate(r, { limit: 1 + r.int(100) }, ctx);
    return {
      label: `${p} as ${as === who.admin ? 'admin' : 'trader'}`,
      send: () => http.query(p, m, as),
    };
  }
  const mutation = r.chance(0.55);
  // placing (and amending) more often than canceling everything keeps orders open to aim at
  const p = r.pick(
    mutation ? [...MUTATIONS, 'trade.placeOrder', 'trade.placeOrder', 'trade.amendOrder'] : QUERIES,
  );
  const i = input(p, accountFor());
  const c = caller();
  return {
    label: p,
    send: () => (mutation ? http.mutation(p, i, c) : http.query(p, i, c)),
  };
}

async function consistent(databaseUrl: string, accountIds: string[]): Promise<string[]> {
  const db = createDb(databaseUrl, { max: 2 });
  const problems: string[] = [];
  try {
    for (const id of accountIds) {
      const stored = await db.$transaction((tx) => loadAccountState(tx, id));
      const rows = await db.accountEvent.findMany({
        where: { accountId: id },
        orderBy: { seq: 'asc' },
      });
      const engineEvents = rows
        .filter((e) => !['accountRenamed', 'accountArchived', 'accountRestored'].includes(e.type))
        .map((e) => eventFromJson(e.payload));
      const replayed = replay(id, engineEvents);
      const want = accountToJson(replayed) as Record<string, unknown>;
      const have = accountToJson(stored!.engine) as Record<string, unknown>;
      const differ = Object.keys({ ...want, ...have }).filter(
        (k) => !isDeepStrictEqual(want[k], have[k]),
      );
      if (differ.length)
        problems.push(
          `account ${id} differs from the replay of its events in ${differ
            .map(
              (k) => `${k}: stored ${JSON.stringify(have[k])} replayed ${JSON.stringify(want[k])}`,
            )
            .join('; ')}`,
        );
      const book = await db.ledgerEntry.aggregate({
        where: { book: `account:${id}` },
        _sum: { amount: true },
      });
      if ((book._sum.amount ?? 0).toString() !== stored!.engine.walletBalance.toFixed())
        problems.push(`account ${id}: ledger book ${String(book._sum.amount)} != wallet`);
    }
    const unbalanced = await db.$queryRaw<unknown[]>`
      SELECT tx_id FROM ledger_entries GROUP BY tx_id HAVING sum(amount) <> 0`;
    if (unbalanced.length) problems.push(`${unbalanced.length} unbalanced ledger transactions`);
    const sum = await db.ledgerEntry.aggregate({ _sum: { amount: true } });
    if (!(sum._sum.amount?.isZero() ?? true))
      problems.push(`ledger total ${String(sum._sum.amount)}`);
  } finally {
    await db.$disconnect();
  }
  return problems;
}

const platform = await startPlatform({ name: 'fuzz', log });
const { http } = platform;
const db = new pg.Client({ connectionString: platform.databaseUrl });
let failed = false;
try {
  await db.connect();
  const a = await newTrader(http, 'fuzz-a');
  const b = await newTrader(http, 'fuzz-b');
  const admin = await newTrader(http, 'fuzz-admin');
  await db.query(`UPDATE users SET role = 'ADMIN' WHERE id = $1`, [admin.userId]);
  for (const symbol of SYMBOLS.slice(0, 3)) await waitForLiveMarket(http, a, symbol);
  const ctx: Ctx = { marks: {}, openLimits: [], orderIds: [], orderNos: [], clientIds: [] };
  await refreshCtx(db, http, a, ctx);
  log(`seed ${seed}; ${total} requests; marks ${JSON.stringify(ctx.marks)}`);

  const r = rng(seed);
  /** The database's fingerprint, and the last account event (what the worker wrote after it). */
  const fingerprint = async () => {
    const row = (await db.query<{ f: unknown; last_event: string }>(FINGERPRINT)).rows[0]!;
    return { f: JSON.stringify(row.f), lastEvent: row.last_event };
  };
  const byStatus: Record<string, number> = {};
  /** kind -> [sent, refused] */
  const byLabel: Record<string, [number, number]> = {};
  const serverErrors: string[] = [];
  const changedOnRefusal: string[] = [];
  const hostileAccepted: string[] = [];
  let refused = 0;
  let sent = 0;
  const workerMoves: string[] = [];
  let before = await fingerprint();
  const started = Date.now();
  const fixed = checklist(r, { a }, ctx, http);
  log(`${fixed.length} checklist requests first, then random ones`);
  for (; sent < total && Date.now() < deadline; sent++) {
    if (sent % 250 === 0) {
      await refreshCtx(db, http, a, ctx);
      if (sent) log(`${sent} requests, ${refused} refused, ${serverErrors.length} 5xx`);
    }
    const req = fixed[sent] ?? nextRequest(r, http, { a, b, admin }, ctx);
    let s: Sent;
    try {
      s = judge(req.label, await req.send());
    } catch (e) {
      serverErrors.push(`${req.label}: transport error ${(e as Error).message}`);
      before = await fingerprint();
      continue;
    }
    const family = req.label.replace(/ as .*| [A-Za-z]+\.[A-Za-z.]+$/, '').replace(/#\d+/, '');
    const counts = (byLabel[family] ??= [0, 0]);
    counts[0]++;
    if (s.refused) counts[1]++;
    byStatus[s.res.status] = (byStatus[s.res.status] ?? 0) + 1;
    if (s.serverError)
      serverErrors.push(`${req.label}: ${s.res.status} ${s.res.text.slice(0, 300)}`);
    const after = await fingerprint();
    if (s.refused) {
      refused++;
      if (after.f !== before.f) {
        const change = `${req.label} (${s.res.status}): ${before.f} -> ${after.f}`;
        // the market is live: the worker may fill, trigger or liquidate meanwhile (an amend of
        // the order it just filled is then refused as not found)
        if (await byTheWorker(db, before.lastEvent, after.lastEvent)) workerMoves.push(change);
        else changedOnRefusal.push(change);
      }
    }
    before = after;
  }
  const seconds = (Date.now() - started) / 1000;
  const problems = await consistent(platform.databaseUrl, [
    a.accountId,
    b.accountId,
    admin.accountId,
  ]);

  console.log('');
  console.log(
    `requests: ${sent} in ${seconds.toFixed(0)} s (seed ${seed}), refused: ${refused}, accepted: ${sent - refused}`,
  );
  console.log(`by status: ${JSON.stringify(byStatus)}`);
  console.log('by kind (sent / refused):');
  for (const [k, [n, no]] of Object.entries(byLabel).sort())
    console.log(`  ${k.padEnd(28)} ${String(n).padStart(6)} / ${String(no).padStart(6)}`);
  console.log(`5xx answers: ${serverErrors.length}`);
  for (const e of serverErrors.slice(0, 20)) console.log(`  ${e}`);
  console.log(`checklist inputs not refused with a 4xx: ${hostileAccepted.length}`);
  for (const e of hostileAccepted.slice(0, 20)) console.log(`  ${e}`);
  console.log(`refused requests that changed the database: ${changedOnRefusal.length}`);
  for (const e of changedOnRefusal.slice(0, 20)) console.log(`  ${e}`);
  console.log(
    `refused requests during which the worker acted on a price move (not counted): ${workerMoves.length}`,
  );
  for (const e of workerMoves.slice(0, 5)) console.log(`  ${e}`);
  console.log(
    `consistency at the end: ${problems.length ? problems.join('; ') : 'every account equals its replay; ledger balanced'}`,
  );
  failed =
    sent < total || serverErrors.length > 0 || changedOnRefusal.length > 0 || problems.length > 0;
  console.log(failed ? 'FUZZ FAILED' : 'fuzz passed');
} catch (e) {
  console.error(e);
  failed = true;
} finally {
  await db.end().catch(() => undefined);
  http.close();
  await platform.stop();
}
process.exit(failed ? 1 : 0);
