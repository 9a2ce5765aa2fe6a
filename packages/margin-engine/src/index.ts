// Public API of @lab/margin-engine.
export {
  Decimal,
  ZERO,
  ONE,
  MONEY_DP,
  ENTRY_DP,
  dec,
  money,
  str,
  type DecimalInput,
} from './decimal.ts';
export {
  ERROR_MESSAGES,
  ERROR_CODES,
  ERROR_CATEGORY,
  EngineError,
  isEngineError,
  type ErrorCode,
  type ErrorCategory,
} from './errors.ts';
export {
  CATALOGUE,
  SYMBOLS,
  tiersFromRates,
  makeInstrument,
  tierIndex,
  tierFor,
  roundToTick,
  roundToLot,
  formatPrice,
  formatQuantity,
  priceDecimals,
  quantityDecimals,
  nextFundingTime,
  type Instrument,
  type RiskTier,
  type BookModel,
  type Catalogue,
} from './instruments.ts';
export type {
  Account,
  EngineEvent,
  EngineResult,
  EventOf,
  EventType,
  Liquidity,
  MarginMode,
  Market,
  Order,
  OrderRequest,
  OrderSnapshot,
  OrderStatus,
  OrderType,
  Position,
  Side,
  SymbolSettings,
  TimeInForce,
  WorkingType,
} from './types.ts';
export { ORDER_TRANSITIONS, transition, type OrderAction } from './order-lifecycle.ts';
export {
  DEFAULT_SETTINGS,
  settingsOf,
  positionRisk,
  allPositionRisks,
  crossFigures,
  crossLiquidatable,
  isolatedLiquidatable,
  availableBalanceRaw,
  openOrderMargin,
  addsRisk,
  maintenanceMargin,
  type PositionRisk,
  type CrossFigures,
} from './risk.ts';
export { applyTrade } from './position-math.ts';
export { matchTaker, takerLevels, vwap } from './book.ts';
export { placeOrder, type PlaceContext, type PlaceResult } from './place-order.ts';
export { amendOrder, type AmendRequest } from './amend-order.ts';
export { closeAllAtMark } from './close-all.ts';
export { adjustWallet } from './wallet.ts';
export {
  setLeverage,
  setMarginMode,
  adjustIsolatedMargin,
  cancelOrder,
  type CancelRequest,
} from './account-settings.ts';
export { onPrice, onPrices, withPrice, type PriceUpdate } from './on-price.ts';
export { applyFunding } from './funding.ts';
export { liquidate, needsLiquidation } from './liquidation.ts';
export {
  liquidationPrice,
  computeLiquidationPrice,
  rawLiquidationPrice,
  liquidatesAt,
} from './liquidation-price.ts';
export { summarize, type AccountSummary, type PositionSummary } from './summary.ts';
export { previewOrder, STRESS_MOVES, type OrderPreview, type StressPoint } from './preview.ts';
export {
  applyEvent,
  applyEvents,
  replay,
  emptyAccount,
  openAccount,
  ENGINE_EVENT_TYPES,
  isEngineEventType,
} from './events.ts';
export { toJson, eventToJson, eventFromJson, accountToJson } from './serialize.ts';
export {
  newExchange,
  applyResult,
  counterpartyFlows,
  exchangeOpenAccount,
  exchangePlaceOrder,
  exchangeOnPrice,
  exchangeFunding,
  totalMoney,
  type Exchange,
} from './exchange.ts';
export {
  LiquidationIndex,
  type IndexOptions,
  type LiquidationHit,
  type TickResult,
} from './liquidation-index.ts';
export {
  engineEvents,
  candleCloseAt,
  candlePath,
  tradingWindow,
  replayUnder,
  type StoredEvent,
  type SeqEvent,
  type Candle,
  type PricePoint,
  type PricePath,
  type ReplayWindow,
  type ReplayOptions,
  type ReplayLiquidation,
  type Outcome,
} from './counterfactual.ts';
