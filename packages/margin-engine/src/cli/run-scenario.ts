// Runs a parsed scenario against one account on a one-account exchange; returns JSON Lines objects.
import { Decimal, str } from '../decimal.ts';
import { EngineError, ERROR_MESSAGES, type ErrorCode } from '../errors.ts';
import {
  adjustIsolatedMargin,
  cancelOrder,
  setLeverage,
  setMarginMode,
} from '../account-settings.ts';
import { applyResult, newExchange, type Exchange } from '../exchange.ts';
import { applyFunding } from '../funding.ts';
import { instrumentOf } from '../risk.ts';
import { onPrices, type PriceUpdate } from '../on-price.ts';
import { openAccount } from '../events.ts';
import { placeOrder } from '../place-order.ts';
import { decimalJson, toJson } from '../serialize.ts';
import { summarize } from '../summary.ts';
import type {
  Account,
  EngineEvent,
  EngineResult,
  MarginMode,
  OrderRequest,
  OrderType,
  Side,
  TimeInForce,
  WorkingType,
} from '../types.ts';
import { ScenarioFormatError, type Scenario, type Step } from './scenario-input.ts';

export type Line = Record<string, unknown> & { type: string };

const ACCOUNT = 'scenario';

function eventLine(ev: EngineEvent): Line {
  const { accountId: _a, ...rest } = ev;
  return toJson(rest) as Line;
}

function snapshotLine(ex: Exchange): Line {
  const account = ex.accounts[ACCOUNT]!;
  const s = summarize(account, ex.market);
  return {
    type: 'snapshot',
    walletBalance: str(s.walletBalance),
    crossWalletBalance: str(s.crossWalletBalance),
    marginBalance: str(s.marginBalance),
    unrealizedPnl: str(s.unrealizedPnl),
    initialMargin: str(s.initialMargin),
    maintenanceMargin: str(s.maintenanceMargin),
    availableBalance: str(s.availableBalance),
    crossMarginRatio: decimalJson(s.crossMarginRatio),
    insuranceFund: str(ex.insuranceFund),
    positions: s.positions.map((p) => ({
      symbol: p.symbol,
      quantity: str(p.quantity),
      entryPrice: str(p.entryPrice),
      markPrice: str(p.markPrice),
      marginMode: p.marginMode,
      leverage: p.leverage,
      isolatedWallet: str(p.isolatedWallet),
      unrealizedPnl: str(p.unrealizedPnl),
      maintenanceMargin: str(p.maintenanceMargin),
      liquidationPrice: p.liquidationPrice ? str(p.liquidationPrice) : null,
    })),
  };
}

function parseDecimal(v: unknown): Decimal {
  try {
    const d = new Decimal(v as string);
    if (d.isFinite()) return d;
  } catch {
    // fall through
  }
  throw new EngineError('INVALID_AMOUNT', 'amount');
}

function orderRequest(step: Extract<Step, { type: 'order' }>): OrderRequest {
  return {
    symbol: step.symbol,
    side: step.side as Side,
    type: step.orderType as OrderType,
    quantity: step.quantity,
    price: step.price,
    stopPrice: step.stopPrice,
    timeInForce: step.timeInForce as TimeInForce | undefined,
    reduceOnly: step.reduceOnly,
    closePosition: step.closePosition,
    clientOrderId: step.clientOrderId,
    workingType: step.workingType as WorkingType | undefined,
    takeProfit: step.takeProfit,
    stopLoss: step.stopLoss,
  };
}

export function runScenario(sc: Scenario): Line[] {
  const lines: Line[] = [];
  let now = 0;
  let ex = newExchange({ instruments: sc.instruments, marks: {} }, sc.insuranceFund);
  ex = applyResult(ex, openAccount(ACCOUNT, sc.walletBalance, now));
  const acct = (): Account => ex.accounts[ACCOUNT]!;
  const emit = (r: EngineResult): void => {
    ex = applyResult(ex, r);
    for (const ev of r.events) lines.push(eventLine(ev));
  };
  const stepRejected = (index: number, step: Step, code: ErrorCode, field?: string): void => {
    lines.push({
      type: 'stepRejected',
      step: index,
      stepType: step.type,
      code,
      message: ERROR_MESSAGES[code],
      ...(field ? { field } : {}),
    });
  };
  sc.steps.forEach((step, index) => {
    try {
      switch (step.type) {
        case 'mark': {
          const updates: Record<string, PriceUpdate> = {};
          for (const [symbol, price] of Object.entries(step.prices)) {
            instrumentOf(ex.market, symbol);
            let markPrice: Decimal;
            try {
              markPrice = parseDecimal(price);
            } catch {
              throw new EngineError('INVALID_PRICE', 'prices');
            }
            if (markPrice.lte(0)) throw new EngineError('INVALID_PRICE', 'prices');
            updates[symbol] = { markPrice };
          }
          const r = onPrices(acct(), ex.market, updates, now);
          ex = { ...ex, market: r.market };
          emit(r);
          break;
        }
        case 'setLeverage':
          emit(setLeverage(acct(), ex.market, step.symbol, step.leverage, now));
          break;
        case 'setMarginMode':
          emit(setMarginMode(acct(), ex.market, step.symbol, step.mode as MarginMode, now));
          break;
        case 'adjustIsolatedMargin':
          emit(
            adjustIsolatedMargin(acct(), ex.market, step.symbol, parseDecimal(step.amount), now),
          );
          break;
        case 'order':
          emit(placeOrder(acct(), ex.market, orderRequest(step), { now }));
          break;
        case 'cancel':
          emit(cancelOrder(acct(), { clientOrderId: step.clientOrderId }, now));
          break;
        case 'funding': {
          const rates: Record<string, Decimal> = {};
          for (const [symbol, rate] of Object.entries(step.rates)) {
            instrumentOf(ex.market, symbol);
            try {
              rates[symbol] = parseDecimal(rate);
            } catch {
              throw new EngineError('INVALID_FUNDING_RATE', 'rates');
            }
          }
          emit(applyFunding(acct(), ex.market, rates, now));
          break;
        }
        case 'advanceTime':
          now += step.seconds * 1000;
          break;
        case 'snapshot':
          lines.push(snapshotLine(ex));
          break;
      }
    } catch (e) {
      // anything but a rule violation is a bug: still exit non-zero naming the step (status 2)
      if (!(e instanceof EngineError))
        throw new ScenarioFormatError(
          `step ${index} (${step.type}): internal error: ${e instanceof Error ? e.message : String(e)}`,
        );
      stepRejected(index, step, e.code, e.field);
    }
  });
  return lines;
}
