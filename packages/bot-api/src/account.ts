// Account endpoints: balances, positions and settings in Binance's shapes, every figure from the
// engine (figuresOf, through the same read models as tRPC), and the setting changes (leverage,
// margin type, isolated margin) through the same trading services.
import { CATALOGUE, Decimal } from '@lab/margin-engine';
import {
  AppError,
  adjustIsolatedMargin,
  getSymbolSettings,
  getTradingSummary,
  listIncome,
  listPositions,
  loadAccountState,
  setLeverage,
  setMarginMode,
  type PositionView,
  type TradingSummary,
} from '@lab/services';
import { z } from 'zod';
import { keyed, type Call, type Endpoint } from './context.ts';
import { ERR } from './errors.ts';
import { knownSymbol, leverageBrackets, maxNotionalAt, venueSymbols } from './market.ts';
import { decimal, epochMs, intBetween, readParams, symbolParam, upperEnum } from './params.ts';

const ASSET = 'USDT';
const nonNeg = (s: string) => (new Decimal(s).isNeg() ? '0' : s);
const crossUnPnl = (s: TradingSummary) =>
  new Decimal(s.crossMarginBalance).minus(s.crossWalletBalance).toFixed();

async function snapshot(call: Call) {
  const k = keyed(call);
  const [summary, positions] = await Promise.all([
    getTradingSummary(call.deps.db, call.deps.prices, k.actor, k.accountId),
    listPositions(call.deps.db, call.deps.prices, k.actor, k.accountId),
  ]);
  return { summary, positions };
}

function assetRow(s: TradingSummary, now: number) {
  return {
    asset: ASSET,
    walletBalance: s.walletBalance,
    unrealizedProfit: s.unrealizedPnl,
    marginBalance: s.marginBalance,
    maintMargin: s.maintenanceMargin,
    initialMargin: s.initialMargin,
    positionInitialMargin: s.positionInitialMargin,
    openOrderInitialMargin: s.openOrderMargin,
    crossWalletBalance: s.crossWalletBalance,
    crossUnPnl: crossUnPnl(s),
    availableBalance: s.availableBalance,
    maxWithdrawAmount: nonNeg(s.availableBalance),
    marginAvailable: true,
    updateTime: now,
  };
}

const signedNotional = (p: PositionView) =>
  new Decimal(p.quantity).isNeg()
    ? new Decimal(p.notional).abs().negated().toFixed()
    : new Decimal(p.notional).abs().toFixed();

function totals(s: TradingSummary) {
  return {
    totalInitialMargin: s.initialMargin,
    totalMaintMargin: s.maintenanceMargin,
    totalWalletBalance: s.walletBalance,
    totalUnrealizedProfit: s.unrealizedPnl,
    totalMarginBalance: s.marginBalance,
    totalPositionInitialMargin: s.positionInitialMargin,
    totalOpenOrderInitialMargin: s.openOrderMargin,
    totalCrossWalletBalance: s.crossWalletBalance,
    totalCrossUnPnl: crossUnPnl(s),
    availableBalance: s.availableBalance,
    maxWithdrawAmount: nonNeg(s.availableBalance),
  };
}

/** GET /fapi/v2/account: every symbol's row, with its leverage and margin type. */
async function accountV2(call: Call) {
  const k = keyed(call);
  const [{ summary, positions }, settings, symbols] = await Promise.all([
    snapshot(call),
    getSymbolSettings(call.deps.db, k.actor, k.accountId),
    venueSymbols(call),
  ]);
  const bySymbol = new Map(positions.map((p) => [p.symbol, p]));
  const setting = new Map(settings.map((s) => [s.symbol, s]));
  return {
    feeTier: 0,
    feeBurn: false,
    canTrade: k.cred.permission === 'trade',
    canDeposit: false,
    canWithdraw: false,
    updateTime: 0,
    multiAssetsMargin: false,
    tradeGroupId: -1,
    ...totals(summary),
    assets: [assetRow(summary, call.now)],
    positions: symbols.map((symbol) => {
      const p = bySymbol.get(symbol);
      const s = setting.get(symbol);
      const leverage = p?.leverage ?? s?.leverage ?? 20;
      return {
        symbol,
        initialMargin: p?.initialMargin ?? '0',
        maintMargin: p?.maintenanceMargin ?? '0',
        unrealizedProfit: p?.unrealizedPnl ?? '0',
        positionInitialMargin: p?.initialMargin ?? '0',
        openOrderInitialMargin: '0',
        leverage: String(leverage),
        isolated: (p?.marginMode ?? s?.marginMode) === 'isolated',
        entryPrice: p?.entryPrice ?? '0',
        maxNotional: maxNotionalAt(CATALOGUE[symbol]!, leverage),
        bidNotional: '0',
        askNotional: '0',
        positionSide: 'BOTH',
        positionAmt: p?.quantity ?? '0',
        updateTime: p ? call.now : 0,
      };
    }),
  };
}

/** GET /fapi/v3/account: only open positions, without settings (as Binance's v3). */
async function accountV3(call: Call) {
  const { summary, positions } = await snapshot(call);
  return {
    ...totals(summary),
    assets: [assetRow(summary, call.now)],
    positions: positions.map((p) => ({
      symbol: p.symbol,
      positionSide: 'BOTH',
      positionAmt: p.quantity,
      unrealizedProfit: p.unrealizedPnl,
      isolatedMargin: p.marginMode === 'isolated' ? p.marginBalance : '0',
      notional: signedNotional(p),
      isolatedWallet: p.isolatedWallet,
      initialMargin: p.initialMargin,
      maintMargin: p.maintenanceMargin,
      updateTime: call.now,
    })),
  };
}

async function balance(call: Call) {
  const { summary } = await snapshot(call);
  return [
    {
      accountAlias: 'LabPaper',
      asset: ASSET,
      balance: summary.walletBalance,
      crossWalletBalance: summary.crossWalletBalance,
      crossUnPnl: crossUnPnl(summary),
      availableBalance: summary.availableBalance,
      maxWithdrawAmount: nonNeg(summary.availableBalance),
      marginAvailable: true,
      updateTime: call.now,
    },
  ];
}

const optSymbol = z.object({ symbol: symbolParam.optional() });

function positionRiskRow(p: PositionView, now: number) {
  return {
    symbol: p.symbol,
    positionSide: 'BOTH',
    positionAmt: p.quantity,
    entryPrice: p.entryPrice,
    markPrice: p.markPrice,
    unRealizedProfit: p.unrealizedPnl,
    liquidationPrice: p.liquidationPrice ?? '0',
    isolatedMargin: p.marginMode === 'isolated' ? p.marginBalance : '0',
    notional: signedNotional(p),
    marginAsset: ASSET,
    isolatedWallet: p.isolatedWallet,
    initialMargin: p.initialMargin,
    maintMargin: p.maintenanceMargin,
    positionInitialMargin: p.initialMargin,
    openOrderInitialMargin: '0',
    adl: 0,
    bidNotional: '0',
    askNotional: '0',
    updateTime: now,
  };
}

/** GET /fapi/v3/positionRisk: open positions only. */
async function positionRiskV3(call: Call) {
  const { symbol } = readParams(optSymbol, call.params);
  if (symbol !== undefined) await knownSymbol(call, symbol);
  const { positions } = await snapshot(call);
  return positions
    .filter((p) => symbol === undefined || p.symbol === symbol)
    .map((p) => positionRiskRow(p, call.now));
}

/** GET /fapi/v2/positionRisk: every symbol (or the one asked), with leverage and margin type. */
async function positionRiskV2(call: Call) {
  const k = keyed(call);
  const { symbol } = readParams(optSymbol, call.params);
  const symbols =
    symbol !== undefined ? [(await knownSymbol(call, symbol)).symbol] : await venueSymbols(call);
  const [{ positions }, settings] = await Promise.all([
    snapshot(call),
    getSymbolSettings(call.deps.db, k.actor, k.accountId),
  ]);
  const bySymbol = new Map(positions.map((p) => [p.symbol, p]));
  const setting = new Map(settings.map((s) => [s.symbol, s]));
  return symbols.map((s) => {
    const p = bySymbol.get(s);
    const cfg = setting.get(s);
    const leverage = p?.leverage ?? cfg?.leverage ?? 20;
    const mode = p?.marginMode ?? cfg?.marginMode ?? 'cross';
    const base = p
      ? positionRiskRow(p, call.now)
      : {
          symbol: s,
          positionAmt: '0',
          entryPrice: '0',
          markPrice: '0',
          unRealizedProfit: '0',
          liquidationPrice: '0',
          isolatedMargin: '0',
          notional: '0',
          isolatedWallet: '0',
          updateTime: 0,
        };
    return {
      symbol: s,
      positionAmt: base.positionAmt,
      entryPrice: base.entryPrice,
      markPrice: base.markPrice,
      unRealizedProfit: base.unRealizedProfit,
      liquidationPrice: base.liquidationPrice,
      leverage: String(leverage),
      maxNotionalValue: maxNotionalAt(CATALOGUE[s]!, leverage),
      marginType: mode === 'isolated' ? 'isolated' : 'cross',
      isolatedMargin: base.isolatedMargin,
      isAutoAddMargin: 'false',
      positionSide: 'BOTH',
      notional: base.notional,
      isolatedWallet: base.isolatedWallet,
      updateTime: base.updateTime,
      isolated: mode === 'isolated',
      adlQuantile: 0,
    };
  });
}

/** The instruments the key's account trades with (a competition's fees and leverage cap). */
async function accountCatalogue(call: Call) {
  const loaded = await loadAccountState(call.deps.db, keyed(call).accountId);
  return loaded?.catalogue ?? CATALOGUE;
}

async function leverageBracket(call: Call) {
  const { symbol } = readParams(optSymbol, call.params);
  const symbols =
    symbol !== undefined ? [(await knownSymbol(call, symbol)).symbol] : await venueSymbols(call);
  const catalogue = await accountCatalogue(call);
  return symbols.map((s) => ({
    symbol: s,
    notionalCoef: 1.0,
    brackets: leverageBrackets(catalogue[s] ?? CATALOGUE[s]!),
  }));
}

async function symbolConfig(call: Call) {
  const k = keyed(call);
  const { symbol } = readParams(optSymbol, call.params);
  if (symbol !== undefined) await knownSymbol(call, symbol);
  const symbols = new Set(symbol !== undefined ? [symbol] : await venueSymbols(call));
  const settings = await getSymbolSettings(call.deps.db, k.actor, k.accountId);
  return settings
    .filter((s) => symbols.has(s.symbol))
    .map((s) => ({
      symbol: s.symbol,
      marginType: s.marginMode === 'isolated' ? 'ISOLATED' : 'CROSSED',
      isAutoAddMargin: 'false',
      leverage: s.leverage,
      maxNotionalValue: maxNotionalAt(CATALOGUE[s.symbol]!, s.leverage),
    }));
}

async function commissionRate(call: Call) {
  const { symbol } = readParams(z.object({ symbol: symbolParam }), call.params);
  await knownSymbol(call, symbol);
  const i = (await accountCatalogue(call))[symbol] ?? CATALOGUE[symbol]!;
  return {
    symbol,
    makerCommissionRate: i.makerFeeRate.toFixed(),
    takerCommissionRate: i.takerFeeRate.toFixed(),
    rpiCommissionRate: '0',
  };
}

const leverageParams = z.object({ symbol: symbolParam, leverage: intBetween(0, 100_000) });

async function postLeverage(call: Call) {
  const k = keyed(call);
  const q = readParams(leverageParams, call.params);
  const i = await knownSymbol(call, q.symbol);
  let r: Awaited<ReturnType<typeof setLeverage>>;
  try {
    r = await setLeverage(call.deps.db, call.deps.prices, k.actor, k.accountId, q);
  } catch (e) {
    // the engine's refusal of a leverage the instrument or position tier does not allow
    if (
      e instanceof AppError &&
      (e.reason === 'LEVERAGE_TOO_HIGH' || e.reason === 'INVALID_LEVERAGE')
    )
      throw ERR.badLeverage(String(q.leverage));
    throw e;
  }
  return {
    leverage: r.leverage,
    maxNotionalValue: maxNotionalAt(i, r.leverage),
    symbol: r.symbol,
  };
}

const marginTypeParams = z.object({
  symbol: symbolParam,
  marginType: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(upperEnum(['ISOLATED', 'CROSSED', 'CROSS'])),
});

async function postMarginType(call: Call) {
  const k = keyed(call);
  const q = readParams(marginTypeParams, call.params);
  await knownSymbol(call, q.symbol);
  const mode = q.marginType === 'ISOLATED' ? 'isolated' : 'cross';
  const [current] = await getSymbolSettings(call.deps.db, k.actor, k.accountId, {
    symbol: q.symbol,
  });
  if (current?.marginMode === mode) throw ERR.noNeedMarginType();
  await setMarginMode(call.deps.db, call.deps.prices, k.actor, k.accountId, {
    symbol: q.symbol,
    marginMode: mode,
  });
  return { code: 200, msg: 'success' };
}

const positionMarginParams = z.object({
  symbol: symbolParam,
  amount: decimal,
  type: z.enum(['1', '2']),
  positionSide: z.enum(['BOTH', 'LONG', 'SHORT']).optional(),
});

async function postPositionMargin(call: Call) {
  const k = keyed(call);
  const q = readParams(positionMarginParams, call.params);
  if (q.positionSide !== undefined && q.positionSide !== 'BOTH') throw ERR.positionSideMismatch();
  await knownSymbol(call, q.symbol);
  await adjustIsolatedMargin(call.deps.db, call.deps.prices, k.actor, k.accountId, {
    symbol: q.symbol,
    action: q.type === '1' ? 'add' : 'remove',
    amount: q.amount,
  });
  return {
    amount: new Decimal(q.amount).toFixed(),
    code: 200,
    msg: 'Successfully modify position margin.',
    type: Number(q.type),
  };
}

const incomeParams = z.object({
  symbol: symbolParam.optional(),
  incomeType: z
    .string()
    .regex(/^[A-Z_]{1,40}$/)
    .optional(),
  startTime: epochMs.optional(),
  endTime: epochMs.optional(),
  limit: intBetween(1, 1000).optional(),
});

const WEEK = 7 * 86_400_000;

async function income(call: Call) {
  const k = keyed(call);
  const q = readParams(incomeParams, call.params);
  if (q.startTime !== undefined && q.endTime !== undefined && q.startTime > q.endTime)
    throw ERR.startAfterEnd();
  const window =
    q.startTime === undefined && q.endTime === undefined ? { startTime: call.now - WEEK } : {};
  const lines = await listIncome(call.deps.db, k.actor, k.accountId, {
    ...window,
    ...(q.startTime !== undefined ? { startTime: q.startTime } : {}),
    ...(q.endTime !== undefined ? { endTime: q.endTime } : {}),
    symbol: q.symbol,
    incomeType: q.incomeType,
    limit: q.limit ?? 100,
  });
  return lines.map((l) => ({
    symbol: l.symbol ?? '',
    incomeType: l.incomeType,
    income: l.amount,
    asset: ASSET,
    info: l.incomeType,
    time: l.time,
    tranId: Number(l.id),
    tradeId: l.fillId ?? '',
  }));
}

export const ACCOUNT_ENDPOINTS: Record<string, Endpoint> = {
  'GET /fapi/v2/account': { security: 'USER_DATA', weight: 5, run: accountV2 },
  'GET /fapi/v3/account': { security: 'USER_DATA', weight: 5, run: accountV3 },
  'GET /fapi/v2/balance': { security: 'USER_DATA', weight: 5, run: balance },
  'GET /fapi/v3/balance': { security: 'USER_DATA', weight: 5, run: balance },
  'GET /fapi/v2/positionRisk': { security: 'USER_DATA', weight: 5, run: positionRiskV2 },
  'GET /fapi/v3/positionRisk': { security: 'USER_DATA', weight: 5, run: positionRiskV3 },
  'GET /fapi/v1/leverageBracket': { security: 'USER_DATA', weight: 1, run: leverageBracket },
  'GET /fapi/v1/symbolConfig': { security: 'USER_DATA', weight: 5, run: symbolConfig },
  'GET /fapi/v1/commissionRate': { security: 'USER_DATA', weight: 20, run: commissionRate },
  'GET /fapi/v1/income': { security: 'USER_DATA', weight: 30, run: income },
  'GET /fapi/v1/positionSide/dual': {
    security: 'USER_DATA',
    weight: 30,
    run: () => Promise.resolve({ dualSidePosition: false }),
  },
  'POST /fapi/v1/positionSide/dual': {
    security: 'TRADE',
    weight: 1,
    run: (c) => {
      const { dualSidePosition } = readParams(
        z.object({ dualSidePosition: z.enum(['true', 'false']) }),
        c.params,
      );
      if (dualSidePosition === 'false') throw ERR.noNeedPositionSide();
      throw ERR.rejected('Hedge mode is not available: paper accounts trade in one-way mode.');
    },
  },
  'GET /fapi/v1/multiAssetsMargin': {
    security: 'USER_DATA',
    weight: 30,
    run: () => Promise.resolve({ multiAssetsMargin: false }),
  },
  'POST /fapi/v1/leverage': { security: 'TRADE', weight: 1, run: postLeverage },
  'POST /fapi/v1/marginType': { security: 'TRADE', weight: 1, run: postMarginType },
  'POST /fapi/v1/positionMargin': { security: 'TRADE', weight: 1, run: postPositionMargin },
};
