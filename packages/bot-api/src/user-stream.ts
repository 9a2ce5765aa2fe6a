// The user data stream of one account in Binance's formats, translated from the account stream's
// events (the same producer the browser's live account view uses: one LISTEN for every change,
// the engine events read from account_events, the engine's figures, its margin-call check):
// ORDER_TRADE_UPDATE for regular orders (and a triggered conditional order's "actual" order),
// ALGO_UPDATE for conditional orders before they trigger, ACCOUNT_UPDATE when money or positions
// move, ACCOUNT_CONFIG_UPDATE for leverage, MARGIN_CALL at the warning level.
import type { AccountStreamEvent, Figures } from '@lab/contracts';
import type { Db } from '@lab/db';
import { Decimal, eventFromJson, type EngineEvent, type EventOf } from '@lab/margin-engine';
import { orderQuoteTotals, orderView, orderViewSelect, type OrderView } from '@lab/services';
import {
  BINANCE_TYPE,
  binanceSide,
  binanceStatus,
  binanceWorkingType,
  isConditional,
} from './order-views.ts';

/** The account stream's producer, as the bot streams subscribe to it. */
export interface AccountEventSource {
  /**
   * Calls `listener` with a snapshot of the account, then with every event of its stream, until
   * the returned function is called.
   */
  watch(accountId: string, listener: (e: AccountStreamEvent) => void): () => void;
}

type Payload = Record<string, unknown>;
const ENGINE_TYPES = new Set([
  'deposit',
  'orderAccepted',
  'orderTriggered',
  'orderCanceled',
  'orderAmended',
  'orderExpired',
  'fill',
  'positionChanged',
  'leverageChanged',
  'marginModeChanged',
  'isolatedMarginAdjusted',
  'fundingPaid',
  'liquidation',
]);

interface OrderState {
  view: OrderView;
  filled: Decimal;
  quote: Decimal;
}

const typeName = (t: string) => BINANCE_TYPE[t as keyof typeof BINANCE_TYPE] ?? t.toUpperCase();

/** Translates one account's stream events; keeps what the next translation needs. */
export class UserStreamTranslator {
  private lastEventSeq = 0;
  private figures: Figures | null = null;

  constructor(
    private readonly db: Db,
    private readonly accountId: string,
  ) {}

  /** The Binance events for one account stream event (in order). */
  async translate(e: AccountStreamEvent): Promise<Payload[]> {
    switch (e.type) {
      case 'snapshot':
        this.lastEventSeq = Math.max(this.lastEventSeq, e.lastEventSeq);
        this.figures = e.figures;
        return [];
      case 'figures':
        this.figures = e.figures;
        return [];
      case 'liquidation':
        return [];
      case 'marginCall':
        return this.figures ? [marginCall(this.figures, e.compartment, e.at)] : [];
      case 'update': {
        // the update's events are the account's rows after the previous update, in order
        const first = e.lastEventSeq - e.events.length + 1;
        const skip = Math.max(0, this.lastEventSeq + 1 - first);
        this.lastEventSeq = Math.max(this.lastEventSeq, e.lastEventSeq);
        this.figures = e.figures;
        if (skip >= e.events.length) return [];
        return this.update(e.events.slice(skip), first + skip, e.figures, e.at);
      }
    }
  }

  private async update(
    raw: Payload[],
    firstSeq: number,
    figures: Figures,
    at: number,
  ): Promise<Payload[]> {
    const events: Array<{ seq: number; ev: EngineEvent }> = [];
    raw.forEach((p, i) => {
      if (typeof p.type === 'string' && ENGINE_TYPES.has(p.type))
        events.push({ seq: firstSeq + i, ev: eventFromJson(p) });
    });
    if (!events.length) return [];
    const orderIds = new Set<string>();
    for (const { ev } of events) {
      if (ev.type === 'orderAccepted') orderIds.add(ev.order.id);
      else if ('orderId' in ev && typeof ev.orderId === 'string') orderIds.add(ev.orderId);
    }
    const seqs = events
      .filter((x) => x.ev.type === 'fill' || x.ev.type === 'liquidation')
      .map((x) => x.seq);
    const [rows, quotes, fills] = await Promise.all([
      orderIds.size
        ? this.db.order.findMany({ where: { id: { in: [...orderIds] } }, select: orderViewSelect })
        : Promise.resolve([]),
      orderQuoteTotals(this.db, [...orderIds]),
      seqs.length
        ? this.db.fill.findMany({
            where: { accountId: this.accountId, eventSeq: { in: seqs } },
            select: { id: true, eventSeq: true },
          })
        : Promise.resolve([]),
    ]);
    const fillIdAt = new Map(fills.map((f) => [f.eventSeq, Number(f.id)]));
    // each order's state before this update: what is stored now, less this update's fills
    const orders = new Map<string, OrderState>();
    for (const r of rows) {
      const view = orderView(r);
      orders.set(view.id, {
        view,
        filled: new Decimal(view.filledQuantity),
        quote: new Decimal(quotes.get(view.id) ?? '0'),
      });
    }
    for (const { ev } of events) {
      if (ev.type !== 'fill') continue;
      const s = orders.get(ev.orderId);
      if (!s) continue;
      s.filled = s.filled.minus(ev.quantity);
      s.quote = s.quote.minus(ev.price.times(ev.quantity));
    }
    const out: Payload[] = [];
    const moved = new Set<string>();
    let reason: string | null = null;
    let balanceChange = new Decimal(0);
    for (const { seq, ev } of events) {
      const o =
        'orderId' in ev && typeof ev.orderId === 'string' ? orders.get(ev.orderId) : undefined;
      switch (ev.type) {
        case 'orderAccepted': {
          const s = orders.get(ev.order.id);
          if (!s) break;
          if (ev.order.status === 'untriggered') out.push(algoUpdate(s.view, 'NEW', ev.time, at));
          else out.push(orderUpdate(s, 'NEW', 'NEW', ev.time, at));
          break;
        }
        case 'orderTriggered':
          if (!o) break;
          out.push(algoUpdate(o.view, 'TRIGGERED', ev.time, at));
          out.push(orderUpdate(o, 'NEW', 'NEW', ev.time, at));
          break;
        case 'orderCanceled':
        case 'orderExpired': {
          if (!o) break;
          const st = ev.type === 'orderCanceled' ? 'CANCELED' : 'EXPIRED';
          if (isConditional(o.view.type) && !this.wasTriggered(o, events, seq))
            out.push(algoUpdate(o.view, st, ev.time, at));
          else out.push(orderUpdate(o, st, st, ev.time, at));
          break;
        }
        case 'orderAmended':
          if (o)
            out.push(
              orderUpdate(
                o,
                'AMENDMENT',
                binanceStatus(o.view.status === 'filled' ? 'partiallyFilled' : o.view.status),
                ev.time,
                at,
                { price: ev.price.toFixed(), quantity: ev.quantity.toFixed() },
              ),
            );
          break;
        case 'fill': {
          reason ??= 'ORDER';
          moved.add(ev.symbol);
          if (!o) break;
          o.filled = o.filled.plus(ev.quantity);
          o.quote = o.quote.plus(ev.price.times(ev.quantity));
          const done = o.filled.gte(o.view.quantity) && !new Decimal(o.view.quantity).isZero();
          out.push(
            orderUpdate(o, 'TRADE', done ? 'FILLED' : 'PARTIALLY_FILLED', ev.time, at, {
              trade: {
                qty: ev.quantity.toFixed(),
                price: ev.price.toFixed(),
                fee: ev.fee.toFixed(),
                maker: ev.liquidity === 'maker',
                realized: ev.realizedPnl.toFixed(),
                id: fillIdAt.get(seq) ?? 0,
              },
            }),
          );
          break;
        }
        case 'liquidation':
          reason ??= 'ORDER';
          moved.add(ev.symbol);
          out.push(liquidationOrder(ev, seq, fillIdAt.get(seq) ?? 0, at));
          break;
        case 'positionChanged':
          moved.add(ev.symbol);
          reason ??= 'ORDER';
          break;
        case 'fundingPaid':
          moved.add(ev.symbol);
          reason ??= 'FUNDING_FEE';
          balanceChange = balanceChange.plus(ev.amount);
          break;
        case 'deposit':
          reason ??= ev.amount.isNeg() ? 'WITHDRAW' : 'DEPOSIT';
          balanceChange = balanceChange.plus(ev.amount);
          break;
        case 'isolatedMarginAdjusted':
          moved.add(ev.symbol);
          reason ??= 'MARGIN_TRANSFER';
          break;
        case 'marginModeChanged':
          moved.add(ev.symbol);
          reason ??= 'MARGIN_TYPE_CHANGE';
          break;
        case 'leverageChanged':
          out.push({
            e: 'ACCOUNT_CONFIG_UPDATE',
            E: at,
            T: ev.time,
            ac: { s: ev.symbol, l: ev.leverage },
          });
          break;
        default:
          break;
      }
    }
    if (reason) out.push(accountUpdate(figures, reason, moved, events, balanceChange, at));
    return out;
  }

  /** Whether the conditional order had triggered before the event at `seq` (in this update or before). */
  private wasTriggered(
    o: OrderState,
    events: Array<{ seq: number; ev: EngineEvent }>,
    seq: number,
  ) {
    const inUpdate = events.some(
      (x) => x.seq < seq && x.ev.type === 'orderTriggered' && x.ev.orderId === o.view.id,
    );
    return (
      inUpdate ||
      (!isConditional(o.view.currentType) &&
        !events.some((x) => x.ev.type === 'orderTriggered' && x.ev.orderId === o.view.id))
    );
  }
}

interface Extra {
  trade?: { qty: string; price: string; fee: string; maker: boolean; realized: string; id: number };
  price?: string;
  quantity?: string;
}

function orderUpdate(
  s: OrderState,
  x: string,
  X: string,
  time: number,
  at: number,
  extra: Extra = {},
): Payload {
  const o = s.view;
  const t = extra.trade;
  return {
    e: 'ORDER_TRADE_UPDATE',
    E: at,
    T: time,
    o: {
      s: o.symbol,
      c: o.clientOrderId ?? '',
      S: binanceSide(o.side),
      o: typeName(isConditional(o.currentType) ? o.type : o.currentType),
      f: o.timeInForce,
      q: extra.quantity ?? o.quantity,
      p: extra.price ?? o.price ?? '0',
      ap: s.filled.isZero() ? '0' : s.quote.div(s.filled).toFixed(),
      sp: o.stopPrice ?? '0',
      x,
      X,
      i: Number(o.orderNo),
      l: t?.qty ?? '0',
      z: s.filled.toFixed(),
      L: t?.price ?? '0',
      N: 'USDT',
      n: t?.fee ?? '0',
      T: time,
      t: t?.id ?? 0,
      b: '0',
      a: '0',
      m: t?.maker ?? false,
      R: o.reduceOnly,
      wt: binanceWorkingType(o.workingType),
      ot: typeName(o.type),
      ps: 'BOTH',
      cp: o.closePosition,
      rp: t?.realized ?? '0',
      pP: false,
      si: 0,
      ss: 0,
      V: 'NONE',
      pm: 'NONE',
      gtd: 0,
    },
  };
}

function algoUpdate(o: OrderView, X: string, time: number, at: number): Payload {
  const fired = X === 'TRIGGERED' || X === 'FINISHED';
  return {
    e: 'ALGO_UPDATE',
    T: time,
    E: at,
    o: {
      caid: o.clientOrderId ?? '',
      aid: Number(o.orderNo),
      at: 'CONDITIONAL',
      o: typeName(o.type),
      s: o.symbol,
      S: binanceSide(o.side),
      ps: 'BOTH',
      f: o.timeInForce,
      q: o.quantity,
      X,
      ai: fired ? o.orderNo : '',
      ap: o.averagePrice ?? '0',
      aq: o.filledQuantity,
      act: fired ? typeName(o.currentType) : '0',
      tp: o.stopPrice ?? '0',
      p: o.price ?? '0',
      V: 'NONE',
      wt: binanceWorkingType(o.workingType),
      pm: 'NONE',
      cp: o.closePosition,
      pP: false,
      R: o.reduceOnly,
      tt: fired ? time : 0,
      gtd: 0,
      rm: '',
    },
  };
}

function liquidationOrder(
  ev: EventOf<'liquidation'>,
  seq: number,
  fillId: number,
  at: number,
): Payload {
  const qty = ev.quantity.toFixed();
  const price = ev.price.toFixed();
  return {
    e: 'ORDER_TRADE_UPDATE',
    E: at,
    T: ev.time,
    o: {
      s: ev.symbol,
      c: `autoclose-${seq}`,
      S: binanceSide(ev.side),
      o: 'LIQUIDATION',
      f: 'IOC',
      q: qty,
      p: price,
      ap: price,
      sp: '0',
      x: 'CALCULATED',
      X: 'FILLED',
      i: 0,
      l: qty,
      z: qty,
      L: price,
      N: 'USDT',
      n: ev.fee.toFixed(),
      T: ev.time,
      t: fillId,
      b: '0',
      a: '0',
      m: false,
      R: true,
      wt: 'MARK_PRICE',
      ot: 'LIQUIDATION',
      ps: 'BOTH',
      cp: false,
      rp: ev.realizedPnl.toFixed(),
      pP: false,
      si: 0,
      ss: 0,
      V: 'NONE',
      pm: 'NONE',
      gtd: 0,
    },
  };
}

function accountUpdate(
  f: Figures,
  reason: string,
  symbols: Set<string>,
  events: Array<{ ev: EngineEvent }>,
  balanceChange: Decimal,
  at: number,
): Payload {
  const open = new Map(f.positions.map((p) => [p.symbol, p]));
  const modeOf = new Map<string, string>();
  for (const { ev } of events) if (ev.type === 'marginModeChanged') modeOf.set(ev.symbol, ev.mode);
  const time = events.at(-1)?.ev.time ?? at;
  return {
    e: 'ACCOUNT_UPDATE',
    E: at,
    T: time,
    a: {
      m: reason,
      B: [
        {
          a: 'USDT',
          wb: f.account.walletBalance,
          cw: f.account.crossWalletBalance,
          bc: balanceChange.toFixed(),
        },
      ],
      P: [...symbols].sort().map((s) => {
        const p = open.get(s);
        return {
          s,
          pa: p?.quantity ?? '0',
          ep: p?.entryPrice ?? '0',
          bep: p?.entryPrice ?? '0',
          cr: '0',
          up: p?.unrealizedPnl ?? '0',
          mt: (p?.marginMode ?? modeOf.get(s) ?? 'cross') === 'isolated' ? 'isolated' : 'cross',
          iw: p?.isolatedWallet ?? '0',
          ps: 'BOTH',
        };
      }),
    },
  };
}

function marginCall(f: Figures, compartment: string, at: number): Payload {
  const positions = f.positions.filter((p) =>
    compartment === 'cross' ? p.marginMode === 'cross' : p.symbol === compartment,
  );
  return {
    e: 'MARGIN_CALL',
    E: at,
    cw: f.account.crossWalletBalance,
    p: positions.map((p) => ({
      s: p.symbol,
      ps: 'BOTH',
      pa: p.quantity,
      mt: p.marginMode === 'isolated' ? 'ISOLATED' : 'CROSSED',
      iw: p.isolatedWallet,
      mp: p.markPrice,
      up: p.unrealizedPnl,
      mm: p.maintenanceMargin,
    })),
  };
}
