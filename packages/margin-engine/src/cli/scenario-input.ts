// Parsing and structural validation of the scenario JSON contract (see scenario.schema.json).
import { Decimal } from '../decimal.ts';
import { CATALOGUE, type Catalogue, type Instrument } from '../instruments.ts';

export class ScenarioFormatError extends Error {
  override name = 'ScenarioFormatError';
}

export type Step =
  | { type: 'mark'; prices: Record<string, string> }
  | { type: 'setLeverage'; symbol: string; leverage: number }
  | { type: 'setMarginMode'; symbol: string; mode: string }
  | { type: 'adjustIsolatedMargin'; symbol: string; amount: string }
  | {
      type: 'order';
      symbol: string;
      side: string;
      orderType: string;
      quantity?: string;
      price?: string;
      stopPrice?: string;
      timeInForce?: string;
      reduceOnly?: boolean;
      closePosition?: boolean;
      clientOrderId?: string;
      workingType?: string;
      takeProfit?: { stopPrice: string };
      stopLoss?: { stopPrice: string };
    }
  | { type: 'cancel'; clientOrderId: string }
  | { type: 'funding'; rates: Record<string, string> }
  | { type: 'advanceTime'; seconds: number }
  | { type: 'snapshot' };

export interface Scenario {
  walletBalance: Decimal;
  insuranceFund: Decimal;
  instruments: Catalogue;
  steps: Step[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function decimalString(v: unknown, where: string): Decimal {
  if (typeof v !== 'string' && typeof v !== 'number')
    throw new ScenarioFormatError(`${where}: expected a decimal string`);
  try {
    const d = new Decimal(v);
    if (!d.isFinite()) throw new Error('not finite');
    return d;
  } catch {
    throw new ScenarioFormatError(`${where}: "${String(v)}" is not a decimal`);
  }
}

function int(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new ScenarioFormatError(`${where}: expected an integer`);
  return v;
}

function text(v: unknown, where: string): string {
  if (typeof v !== 'string') throw new ScenarioFormatError(`${where}: expected a string`);
  return v;
}

function parseInstrument(v: unknown, where: string): Instrument {
  if (!isObj(v)) throw new ScenarioFormatError(`${where}: expected an object`);
  const tiers = v.riskTiers;
  if (!Array.isArray(tiers) || tiers.length === 0)
    throw new ScenarioFormatError(`${where}.riskTiers: expected a non-empty array`);
  const inst: Instrument = {
    symbol: text(v.symbol, `${where}.symbol`),
    tickSize: decimalString(v.tickSize, `${where}.tickSize`),
    lotSize: decimalString(v.lotSize, `${where}.lotSize`),
    minNotional: decimalString(v.minNotional, `${where}.minNotional`),
    maxLeverage: int(v.maxLeverage, `${where}.maxLeverage`),
    makerFeeRate: decimalString(v.makerFeeRate, `${where}.makerFeeRate`),
    takerFeeRate: decimalString(v.takerFeeRate, `${where}.takerFeeRate`),
    liquidationFeeRate: decimalString(v.liquidationFeeRate, `${where}.liquidationFeeRate`),
    fundingIntervalHours:
      v.fundingIntervalHours === undefined
        ? 8
        : int(v.fundingIntervalHours, `${where}.fundingIntervalHours`),
    riskTiers: tiers.map((t: unknown, i) => {
      const w = `${where}.riskTiers[${i}]`;
      if (!isObj(t)) throw new ScenarioFormatError(`${w}: expected an object`);
      return {
        maxNotional: decimalString(t.maxNotional, `${w}.maxNotional`),
        maintenanceMarginRate: decimalString(t.maintenanceMarginRate, `${w}.maintenanceMarginRate`),
        maintenanceAmount: decimalString(t.maintenanceAmount, `${w}.maintenanceAmount`),
        maxLeverage: int(t.maxLeverage, `${w}.maxLeverage`),
      };
    }),
  };
  inst.riskTiers.forEach((t, i) => {
    const w = `${where}.riskTiers[${i}]`;
    const prev = inst.riskTiers[i - 1];
    if (t.maxNotional.lte(prev?.maxNotional ?? 0))
      throw new ScenarioFormatError(
        `${w}.maxNotional: tiers must be in ascending order of positive caps`,
      );
    if (t.maintenanceMarginRate.lt(0) || t.maintenanceMarginRate.gte(1))
      throw new ScenarioFormatError(`${w}.maintenanceMarginRate: must be at least 0 and below 1`);
  });
  if (inst.tickSize.lte(0) || inst.lotSize.lte(0))
    throw new ScenarioFormatError(`${where}: tickSize and lotSize must be positive`);
  if (v.book !== undefined) {
    const b = v.book;
    if (!isObj(b) || !Array.isArray(b.levelQuantities))
      throw new ScenarioFormatError(
        `${where}.book: expected {halfSpreadTicks, levelStepTicks, levelQuantities}`,
      );
    inst.book = {
      halfSpreadTicks: int(b.halfSpreadTicks ?? 0, `${where}.book.halfSpreadTicks`),
      levelStepTicks: int(b.levelStepTicks ?? 1, `${where}.book.levelStepTicks`),
      levelQuantities: b.levelQuantities.map((q: unknown, i) =>
        decimalString(q, `${where}.book.levelQuantities[${i}]`),
      ),
    };
  }
  return inst;
}

const STEP_FIELDS: Record<string, Record<string, 'string' | 'number' | 'object' | 'boolean'>> = {
  mark: { prices: 'object' },
  setLeverage: { symbol: 'string', leverage: 'number' },
  setMarginMode: { symbol: 'string', mode: 'string' },
  adjustIsolatedMargin: { symbol: 'string', amount: 'string' },
  order: { symbol: 'string', side: 'string', orderType: 'string' },
  cancel: { clientOrderId: 'string' },
  funding: { rates: 'object' },
  advanceTime: { seconds: 'number' },
  snapshot: {},
};

/** Optional fields whose type is structural (a wrong type would otherwise be silently ignored). */
const OPTIONAL_FIELDS: Record<string, Record<string, 'string' | 'object' | 'boolean'>> = {
  order: {
    timeInForce: 'string',
    reduceOnly: 'boolean',
    closePosition: 'boolean',
    clientOrderId: 'string',
    workingType: 'string',
    takeProfit: 'object',
    stopLoss: 'object',
  },
};

function parseStep(v: unknown, i: number): Step {
  const where = `step ${i}`;
  if (!isObj(v)) throw new ScenarioFormatError(`${where}: expected an object`);
  const type = v.type;
  if (typeof type !== 'string') throw new ScenarioFormatError(`${where}: missing "type"`);
  const fields = STEP_FIELDS[type];
  if (!fields) throw new ScenarioFormatError(`${where}: unknown step type "${type}"`);
  for (const [k, t] of Object.entries(fields)) {
    const x = v[k];
    const ok =
      t === 'object' ? isObj(x) : typeof x === t || (k === 'amount' && typeof x === 'number');
    if (!ok) throw new ScenarioFormatError(`${where} (${type}): field "${k}" must be a ${t}`);
  }
  for (const [k, t] of Object.entries(OPTIONAL_FIELDS[type] ?? {})) {
    const x = v[k];
    if (x !== undefined && (t === 'object' ? !isObj(x) : typeof x !== t))
      throw new ScenarioFormatError(`${where} (${type}): field "${k}" must be a ${t}`);
  }
  if (type === 'advanceTime' && (v.seconds as number) < 0)
    throw new ScenarioFormatError(`${where} (advanceTime): seconds must be >= 0`);
  return v as unknown as Step;
}

export function parseScenario(textInput: string): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(textInput);
  } catch (e) {
    throw new ScenarioFormatError(`malformed JSON: ${(e as Error).message}`);
  }
  if (!isObj(raw)) throw new ScenarioFormatError('scenario: expected a JSON object');
  if (!Array.isArray(raw.steps))
    throw new ScenarioFormatError('scenario: "steps" must be an array');
  const instruments: Catalogue =
    raw.instruments === undefined
      ? CATALOGUE
      : Object.fromEntries(
          (Array.isArray(raw.instruments) ? raw.instruments : [raw.instruments]).map(
            (x: unknown, i) => {
              const inst = parseInstrument(x, `instruments[${i}]`);
              return [inst.symbol, inst];
            },
          ),
        );
  return {
    walletBalance: decimalString(raw.walletBalance ?? '0', 'walletBalance'),
    insuranceFund: decimalString(raw.insuranceFund ?? '0', 'insuranceFund'),
    instruments,
    steps: raw.steps.map(parseStep),
  };
}
