import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(pkg, 'bin', 'margin-scenario.mjs');
const examples = readdirSync(join(pkg, 'examples')).filter((f) => f.endsWith('.json'));

type Line = Record<string, unknown> & { type: string };

function run(
  args: string[],
  input?: string,
): { status: number | null; lines: Line[]; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: 'utf8',
    cwd: pkg,
    timeout: 30_000,
  });
  const lines = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
  return { status: r.status, lines, stderr: r.stderr };
}

const scenario = (steps: unknown[], extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ walletBalance: '10000', steps, ...extra });

describe('margin-scenario CLI (spawned as a real process)', () => {
  it('reads a file path, writes JSON Lines with decimal strings', () => {
    const { status, lines } = run([join(pkg, 'examples', 'cross-vs-isolated.json')]);
    expect(status).toBe(0);
    const snap = lines.find((l) => l.type === 'snapshot')!;
    // BTC isolated 0.5 at 10x: liq = (25,000 - 2,500) / (0.5 x 0.996) = 45,180.72 -> 45,180.7
    expect(snap).toMatchObject({
      walletBalance: '9980',
      crossWalletBalance: '7480',
      insuranceFund: '0',
    });
    expect((snap.positions as Line[])[0]).toMatchObject({
      symbol: 'BTCUSDT',
      quantity: '0.5',
      marginMode: 'isolated',
      isolatedWallet: '2500',
      liquidationPrice: '45180.7',
    });
    const liq = lines.find((l) => l.type === 'liquidation')!;
    expect(liq).toMatchObject({
      mode: 'isolated',
      symbol: 'BTCUSDT',
      price: '45000',
      realizedPnl: '-2500',
      fee: '0',
    });
  });

  it('reads stdin; a mark that liquidates emits the liquidation before the next line', () => {
    const { status, lines } = run(
      [],
      scenario([
        { type: 'mark', prices: { BTCUSDT: '50000' } },
        { type: 'order', symbol: 'BTCUSDT', side: 'buy', orderType: 'market', quantity: '1' },
        { type: 'mark', prices: { BTCUSDT: '40000' } },
        { type: 'snapshot' },
      ]),
    );
    expect(status).toBe(0);
    expect(lines.map((l) => l.type)).toEqual([
      'orderAccepted',
      'fill',
      'positionChanged',
      'liquidationTriggered',
      'liquidation',
      'positionChanged',
      'snapshot',
    ]);
    // margin balance 9,975 - 10,000 = -25 <= maintenance 40,000 x 0.004 = 160, triggered by BTC at 40,000
    expect(lines[3]).toMatchObject({
      mode: 'cross',
      symbol: 'BTCUSDT',
      markPrice: '40000',
      marginBalance: '-25',
      maintenanceMargin: '160',
      // the ratio is undefined (infinite) with a non-positive margin balance: null, never a
      // non-decimal string such as "Infinity"
      marginRatio: null,
    });
    // wallet 9,975, loss 10,000: shortfall 25 from the insurance fund
    expect(lines[4]).toMatchObject({ realizedPnl: '-10000', shortfall: '25' });
    expect(lines[6]).toMatchObject({ walletBalance: '0', insuranceFund: '-25', positions: [] });
  });

  it('every string amount in every example output is a plain decimal (no Infinity, NaN or exponent)', () => {
    const decimal = /^-?\d+(\.\d+)?$/;
    const text = new Set([
      'type',
      'symbol',
      'side',
      'orderType',
      'timeInForce',
      'workingType',
      'status',
      'liquidity',
      'mode',
      'marginMode',
      'reason',
      'code',
      'message',
      'field',
      'stepType',
      'id',
      'orderId',
      'clientOrderId',
      'comment',
    ]);
    const walk = (v: unknown, key: string): void => {
      if (typeof v === 'string' && !text.has(key)) expect(v, key).toMatch(decimal);
      else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
      else if (v !== null && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) walk(x, k);
    };
    for (const f of examples) {
      const { status, lines } = run([join(pkg, 'examples', f)]);
      expect(status).toBe(0);
      lines.forEach((l) => walk(l, ''));
    }
  });

  it('rejected steps never abort the run', () => {
    const { status, lines } = run(
      [],
      scenario([
        { type: 'mark', prices: { BTCUSDT: '50000' } },
        {
          type: 'order',
          symbol: 'BTCUSDT',
          side: 'buy',
          orderType: 'limit',
          quantity: '0.1',
          price: '49000.05',
        },
        { type: 'setLeverage', symbol: 'BTCUSDT', leverage: 500 },
        { type: 'cancel', clientOrderId: 'nope' },
        { type: 'adjustIsolatedMargin', symbol: 'BTCUSDT', amount: '10' },
        { type: 'setMarginMode', symbol: 'BTCUSDT', mode: 'isolated' },
        { type: 'snapshot' },
      ]),
    );
    expect(status).toBe(0);
    expect(lines.map((l) => [l.type, l.code])).toEqual([
      ['orderRejected', 'PRICE_NOT_ON_TICK'],
      ['stepRejected', 'LEVERAGE_TOO_HIGH'],
      ['stepRejected', 'ORDER_NOT_FOUND'],
      ['stepRejected', 'NO_ISOLATED_POSITION'],
      ['marginModeChanged', undefined],
      ['snapshot', undefined],
    ]);
    expect(lines[1]).toMatchObject({ step: 2, stepType: 'setLeverage' });
  });

  it('funding and time: the long pays qty x mark x rate', () => {
    const { lines } = run(
      [],
      scenario([
        { type: 'mark', prices: { ETHUSDT: '3000' } },
        { type: 'order', symbol: 'ETHUSDT', side: 'buy', orderType: 'market', quantity: '2' },
        { type: 'advanceTime', seconds: 28800 },
        { type: 'funding', rates: { ETHUSDT: '0.0001' } },
      ]),
    );
    // 2 x 3,000 x 0.0001 = 0.6 paid at t = 8h
    expect(lines.at(-1)).toMatchObject({ type: 'fundingPaid', amount: '-0.6', time: 28_800_000 });
  });

  it('custom instruments with a book model walk the book', () => {
    const inst = {
      symbol: 'TESTUSDT',
      tickSize: '0.5',
      lotSize: '1',
      minNotional: '1',
      maxLeverage: 10,
      makerFeeRate: '0',
      takerFeeRate: '0.001',
      liquidationFeeRate: '0.01',
      riskTiers: [
        {
          maxNotional: '1000000',
          maintenanceMarginRate: '0.05',
          maintenanceAmount: '0',
          maxLeverage: 10,
        },
      ],
      book: { halfSpreadTicks: 1, levelStepTicks: 2, levelQuantities: ['2', '3'] },
    };
    const { lines } = run(
      [],
      scenario(
        [
          { type: 'mark', prices: { TESTUSDT: '100' } },
          { type: 'order', symbol: 'TESTUSDT', side: 'buy', orderType: 'market', quantity: '4' },
        ],
        { instruments: [inst] },
      ),
    );
    // asks 100.5 x 2, 101.5 x 3: fills 2 @ 100.5 and 2 @ 101.5
    expect(lines.filter((l) => l.type === 'fill').map((l) => [l.price, l.quantity])).toEqual([
      ['100.5', '2'],
      ['101.5', '2'],
    ]);
  });

  it('malformed JSON and unknown step types exit non-zero naming the problem', () => {
    const bad = run([], '{"steps": [');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/malformed JSON/);
    const unknown = run([], scenario([{ type: 'snapshot' }, { type: 'teleport' }]));
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/step 1: unknown step type "teleport"/);
    expect(unknown.lines).toEqual([]);
    const missing = run([], scenario([{ type: 'order', symbol: 'BTCUSDT', side: 'buy' }]));
    expect(missing.stderr).toMatch(/step 0 \(order\): field "orderType"/);
  });

  it('risk tiers must be in ascending order of their caps (else the tier lookup is silently wrong)', () => {
    const tier = (cap: string, mmr: string, lev: number) => ({
      maxNotional: cap,
      maintenanceMarginRate: mmr,
      maintenanceAmount: '0',
      maxLeverage: lev,
    });
    const inst = {
      symbol: 'TSTUSDT',
      tickSize: '0.1',
      lotSize: '1',
      minNotional: '5',
      maxLeverage: 50,
      makerFeeRate: '0',
      takerFeeRate: '0',
      liquidationFeeRate: '0.01',
      riskTiers: [tier('1000000', '0.1', 5), tier('50000', '0.01', 50)],
    };
    const r = run([], scenario([{ type: 'snapshot' }], { instruments: [inst] }));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/instruments\[0\]\.riskTiers\[1\]\.maxNotional/);
    expect(r.lines).toEqual([]);
  });

  it('symbols that are Object.prototype names are unknown symbols, not crashes', () => {
    const { status, lines, stderr } = run(
      [],
      scenario([
        { type: 'mark', prices: { BTCUSDT: '50000' } },
        { type: 'order', symbol: 'toString', side: 'buy', orderType: 'market', quantity: '1' },
        { type: 'setLeverage', symbol: '__proto__', leverage: 5 },
        { type: 'mark', prices: { constructor: '5' } },
        { type: 'funding', rates: { hasOwnProperty: '0.0001' } },
      ]),
    );
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(lines.map((l) => [l.type, l.code])).toEqual([
      ['orderRejected', 'UNKNOWN_SYMBOL'],
      ['stepRejected', 'UNKNOWN_SYMBOL'],
      ['stepRejected', 'UNKNOWN_SYMBOL'],
      ['stepRejected', 'UNKNOWN_SYMBOL'],
    ]);
  });

  it('optional order fields of the wrong type are a format error, not silently ignored', () => {
    // reduceOnly "true" (a string) used to be read as false: the order opened a position
    const r = run(
      [],
      scenario([
        { type: 'mark', prices: { BTCUSDT: '50000' } },
        {
          type: 'order',
          symbol: 'BTCUSDT',
          side: 'buy',
          orderType: 'market',
          quantity: '0.01',
          reduceOnly: 'true',
        },
      ]),
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/step 1 \(order\): field "reduceOnly" must be a boolean/);
    expect(r.lines).toEqual([]);
  });

  it('runs through npx from the repository root', () => {
    const r = spawnSync('npx', ['--no-install', 'margin-scenario', 'examples/hedged-cross.json'], {
      cwd: join(pkg, '..', '..'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .some((l) => (JSON.parse(l) as Line).type === 'fundingPaid'),
    ).toBe(true);
  });
});

describe('scenario.schema.json', () => {
  const schema = JSON.parse(readFileSync(join(pkg, 'scenario.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true }).compile(schema);

  it.each(examples)('validates examples/%s and the example runs cleanly', (file) => {
    const doc = JSON.parse(readFileSync(join(pkg, 'examples', file), 'utf8')) as unknown;
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const r = run([join(pkg, 'examples', file)]);
    expect(r.status).toBe(0);
    expect(r.lines.some((l) => l.type === 'stepRejected')).toBe(false);
  });

  it('rejects unknown step types and non-string amounts', () => {
    expect(validate({ steps: [{ type: 'teleport' }] })).toBe(false);
    expect(validate({ walletBalance: 100, steps: [] })).toBe(false);
    expect(
      validate({
        steps: [
          { type: 'order', symbol: 'BTCUSDT', side: 'buy', orderType: 'market', quantity: 1 },
        ],
      }),
    ).toBe(false);
  });
});
