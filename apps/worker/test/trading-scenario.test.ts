// The scenario runner and the platform agree (issue 14, item 8): a worked example of the margin
// engine is played with its orders and settings through the trading services (what the API calls)
// and its marks and funding through the worker's trading loop, on a real PostgreSQL; every event
// stored and every figure of every snapshot is compared with what `npx margin-scenario` prints
// for the same file (the CLI run for real).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '@lab/db/server';
import { Decimal } from '@lab/margin-engine';
import {
  figuresOf,
  isEngineEventType,
  loadAccountState,
  openAccount,
  placeOrder,
  setLeverage,
  setMarginMode,
  StaticPrices,
  userActor,
} from '@lab/services';
import { createUser } from '@lab/services/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { useWorkerDb } from './helpers.ts';
import {
  createVenue,
  expectConsistent,
  marketAt,
  startHarness,
  type TradingHarness,
} from './trading-helpers.ts';

const t = useWorkerDb();
const EXAMPLES = path.join(repoRoot, 'packages/margin-engine/examples');
const here = path.dirname(fileURLToPath(import.meta.url));

type Step = Record<string, unknown> & { type: string };
interface Scenario {
  walletBalance: string;
  steps: Step[];
}
type Line = Record<string, unknown> & { type: string };

/** What the real CLI prints for the file (JSON Lines). */
function cliOutput(file: string): Line[] {
  const out = execFileSync('npx', ['margin-scenario', file], {
    cwd: path.resolve(here, '../../..'),
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
}

/** An event line without what differs by construction: times, and the account id in order ids. */
function normalized(line: Record<string, unknown>, accountId: string): unknown {
  const { time: _t, accountId: _a, ...rest } = line;
  return JSON.parse(JSON.stringify(rest).replaceAll(`${accountId}-`, 'scenario-'));
}

let h: TradingHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function play(name: string) {
  const file = path.join(EXAMPLES, name);
  const sc = JSON.parse(fs.readFileSync(file, 'utf8')) as Scenario;
  const expected = cliOutput(file);

  const venue = await createVenue(t.db);
  const prices = new StaticPrices();
  const { user } = await createUser(t.db);
  const account = await openAccount(t.db, prices, user.id, {
    name: 'scenario',
    startingBalance: sc.walletBalance,
  });
  const accountId = account.id;
  await t.db.paperAccount.update({ where: { id: accountId }, data: { venueId: venue } });
  const actor = userActor(user.id);

  // start just after a funding time (ahead of the wall clock the services stamp their events
  // with), so that only an advanceTime crosses the next one
  const FUNDING = 8 * 3600_000;
  const start = Math.ceil((Date.now() + 86_400_000) / FUNDING) * FUNDING + 60_000;
  h = await startHarness(t, venue, start);
  const marks: Record<string, string> = {};
  // the rate the marks announce: the next funding step's (the loop charges it at the funding time)
  const nextRates = (from: number): Record<string, string> =>
    (sc.steps.slice(from).find((s) => s.type === 'funding')?.rates as Record<string, string>) ?? {};
  const tick = async (i: number, changed: Record<string, string>, advanceMs = 1000) => {
    const rates = nextRates(i);
    await h!.tick(
      Object.entries(changed).map(([symbol, mark]) => ({
        symbol,
        mark,
        fundingRate: rates[symbol] ?? '0',
      })),
      { advanceMs },
    );
  };
  const synced = async () => {
    const { version } = await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } });
    await h!.synced(accountId, version);
  };

  const snapshots: Line[] = [];
  for (const [i, step] of sc.steps.entries()) {
    switch (step.type) {
      case 'mark': {
        const p = step.prices as Record<string, string>;
        Object.assign(marks, p);
        for (const [symbol, mark] of Object.entries(p))
          prices.set(symbol, { markPrice: mark }, venue);
        await tick(i, p);
        break;
      }
      case 'setMarginMode':
        await setMarginMode(t.db, prices, actor, accountId, {
          symbol: step.symbol as string,
          marginMode: step.mode as 'cross' | 'isolated',
        });
        await synced();
        break;
      case 'setLeverage':
        await setLeverage(t.db, prices, actor, accountId, {
          symbol: step.symbol as string,
          leverage: step.leverage as number,
        });
        await synced();
        break;
      case 'order':
        await placeOrder(t.db, prices, actor, accountId, {
          symbol: step.symbol as string,
          side: step.side as 'buy' | 'sell',
          type: step.orderType as 'market',
          quantity: step.quantity as string,
          ...(step.price ? { price: step.price as string } : {}),
          ...(step.reduceOnly ? { reduceOnly: true } : {}),
        });
        await synced();
        break;
      case 'advanceTime':
        h.clock.now += (step.seconds as number) * 1000;
        break;
      case 'funding':
        // the first tick past the funding time: the loop charges it at the marks before it
        await tick(i + 1, marks, 0);
        break;
      case 'snapshot': {
        await h.runner.whenIdle();
        const loaded = await t.db.$transaction((tx) => loadAccountState(tx, accountId));
        const f = figuresOf(loaded!.engine, marketAt(marks));
        const insurance = await t.db.ledgerEntry.aggregate({
          where: { accountId, book: 'house:insurance' },
          _sum: { amount: true },
        });
        snapshots.push({
          type: 'snapshot',
          walletBalance: f.account.walletBalance,
          crossWalletBalance: f.account.crossWalletBalance,
          marginBalance: f.account.marginBalance,
          unrealizedPnl: f.account.unrealizedPnl,
          initialMargin: f.account.initialMargin,
          maintenanceMargin: f.account.maintenanceMargin,
          availableBalance: f.account.availableBalance,
          crossMarginRatio: f.account.crossMarginRatio,
          insuranceFund: new Decimal((insurance._sum.amount ?? 0).toString()).toFixed(),
          positions: f.positions.map((p) => ({
            symbol: p.symbol,
            quantity: p.quantity,
            entryPrice: p.entryPrice,
            markPrice: p.markPrice,
            marginMode: p.marginMode,
            leverage: p.leverage,
            isolatedWallet: p.isolatedWallet,
            unrealizedPnl: p.unrealizedPnl,
            maintenanceMargin: p.maintenanceMargin,
            liquidationPrice: p.liquidationPrice,
          })),
        });
        break;
      }
      default:
        throw new Error(`step ${i}: ${step.type} is not played by this test`);
    }
  }

  // every engine event, in order, as the CLI prints them
  const stored = await t.db.accountEvent.findMany({
    where: { accountId, seq: { gt: 1 } },
    orderBy: { seq: 'asc' },
  });
  const events = stored
    .filter((e) => isEngineEventType(e.type))
    .map((e) => normalized(e.payload as Record<string, unknown>, accountId));
  expect(events).toEqual(
    expected.filter((l) => l.type !== 'snapshot').map((l) => normalized(l, accountId)),
  );
  // every figure of every snapshot; the API shows margin ratios to 8 decimals
  const cliSnapshots = expected
    .filter((l) => l.type === 'snapshot')
    .map((s) => ({
      ...s,
      crossMarginRatio:
        s.crossMarginRatio === null
          ? null
          : new Decimal(s.crossMarginRatio as string).toDecimalPlaces(8).toFixed(),
    }));
  expect(snapshots).toEqual(cliSnapshots);
  await expectConsistent(t.db, accountId);
  return { events: events.length, snapshots: snapshots.length };
}

describe('margin-scenario and the platform agree', () => {
  it('examples/cross-vs-isolated.json: isolated liquidated, cross survives, then cross takes all', async () => {
    const r = await play('cross-vs-isolated.json');
    expect(r).toEqual({ events: 15, snapshots: 4 });
  });

  it('examples/hedged-cross.json: a hedge through a market fall, funding on both legs', async () => {
    const r = await play('hedged-cross.json');
    expect(r.snapshots).toBe(5);
  });
});
