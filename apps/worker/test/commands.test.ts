// Market commands over LISTEN/NOTIFY (what the API's triggerScenario sends) reach the simulator;
// bad commands are logged and rejected without taking the listener down. And LAB_MARKETS parsing.
import { SimulatorSource, type MarkTick } from '@lab/market-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_CHANNEL, listenForCommands } from '../src/market/commands.ts';
import { assignMarkets } from '../src/market/sources.ts';
import { memoryLog, useWorkerDb, waitFor } from './helpers.ts';

const t = useWorkerDb();
const T0 = Date.UTC(2026, 3, 1, 9, 0, 0);
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];

describe('market commands (lab_market_commands)', () => {
  const sim = new SimulatorSource({
    seed: 'commands',
    startTime: T0,
    ticksPerSecond: 4,
    market: { symbols: SYMBOLS },
    now: () => T0,
  });
  const marks = new Map<string, MarkTick>();
  sim.onTick((k) => void (k.kind === 'mark' && marks.set(k.symbol, k)));
  const { lines, log } = memoryLog();
  let stop: () => Promise<void>;
  const notify = (payload: unknown) =>
    t.pool.query('SELECT pg_notify($1, $2)', [
      COMMAND_CHANNEL,
      typeof payload === 'string' ? payload : JSON.stringify(payload),
    ]);

  beforeAll(async () => {
    stop = await listenForCommands(t.url, sim, log);
    sim.advance(5000);
  });
  afterAll(async () => {
    await stop();
  });

  it('a crash command moves the price by about the requested percent over its duration', async () => {
    const before = Number(marks.get('BTCUSDT')!.markPrice);
    await notify({
      type: 'scenario',
      event: { type: 'crash', percent: 10, durationMs: 30_000, symbol: 'BTCUSDT' },
    });
    const ev = await waitFor(() => sim.events()[0], 'the scenario event to reach the simulator');
    expect(ev).toMatchObject({
      type: 'crash',
      percent: 10,
      durationMs: 30_000,
      symbol: 'BTCUSDT',
      at: sim.time,
    });
    expect(lines.some((l) => l.startsWith(`scenario event ${ev.id} started`))).toBe(true);
    sim.advance(40_000); // the crash, plus the mark/index smoothing settling
    const after = Number(marks.get('BTCUSDT')!.markPrice);
    expect(after / before - 1).toBeGreaterThan(-0.12);
    expect(after / before - 1).toBeLessThan(-0.08);
    expect(sim.events()).toEqual([]); // finished events are dropped
  });

  it('rejects invalid commands with a log line naming the problem, and keeps listening', async () => {
    const bad: Array<[unknown, RegExp]> = [
      ['{not json', /market command rejected: .*JSON/],
      [{ type: 'shutdown' }, /market command rejected: type: /],
      [
        { type: 'scenario', event: { type: 'crash', percent: 150, durationMs: 1000 } },
        /rejected: event.percent: percent must be at most 90/,
      ],
      [
        {
          type: 'scenario',
          event: { type: 'rally', percent: 5, durationMs: 1000, symbol: 'NOPEUSDT' },
        },
        /rejected: invalid scenario event rally: unknown symbol NOPEUSDT/,
      ],
      [
        { type: 'scenario', event: { type: 'volSpike', multiplier: 3, durationMs: -5 } },
        /rejected: event.durationMs: durationMs must be at least 1000/,
      ],
      [{ type: 'scenario', event: { type: 'meteor', durationMs: 1000 } }, /rejected: event.type: /],
      [{ type: 'scenario' }, /market command rejected: /],
    ];
    const from = lines.length;
    for (const [payload] of bad) await notify(payload);
    await waitFor(() => lines.length - from >= bad.length, 'a log line per bad command');
    const logged = lines.slice(from);
    bad.forEach(([, re], i) => expect(logged[i]).toMatch(re));
    expect(sim.events()).toEqual([]);

    // Still listening: a valid command afterwards is applied.
    await notify({
      type: 'scenario',
      event: { type: 'volSpike', multiplier: 3, durationMs: 10_000 },
    });
    await waitFor(() => sim.events().length === 1, 'the valid command after the bad ones');
  });

  it('keeps listening after its connection is terminated (reconnects)', async () => {
    const pids = await t.pool.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN ${COMMAND_CHANNEL}'`,
    );
    expect(pids.rows).toHaveLength(1);
    await t.pool.query('SELECT pg_terminate_backend($1)', [pids.rows[0]!.pid]);
    await waitFor(() => lines.includes('market command channel reconnected'), 'the reconnect');
    expect(lines.some((l) => l.startsWith('market command channel lost'))).toBe(true);
    const before = sim.events().length;
    await notify({
      type: 'scenario',
      event: { type: 'rally', percent: 2, durationMs: 5000, symbol: 'ETHUSDT' },
    });
    await waitFor(() => sim.events().length === before + 1, 'the command after the reconnect');
  });

  it('without a simulator (every market live or replayed), scenario commands are rejected', async () => {
    const other = memoryLog();
    const stopOther = await listenForCommands(t.url, null, other.log);
    try {
      await notify({ type: 'scenario', event: { type: 'crash', percent: 5, durationMs: 1000 } });
      await waitFor(() => other.lines.length > 0, 'the rejection');
      expect(other.lines[0]).toBe(
        'market command rejected: scenario events need the simulator as the price source',
      );
    } finally {
      await stopOther();
    }
  });
});

describe('assignMarkets (LAB_MARKETS)', () => {
  const known = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];

  it('assigns named markets and simulates the rest', () => {
    expect(assignMarkets(' BTCUSDT=binance , ETHUSDT=replay:/data/eth.csv', known)).toEqual([
      { symbol: 'BTCUSDT', kind: 'binance', file: undefined },
      { symbol: 'ETHUSDT', kind: 'replay', file: '/data/eth.csv' },
      { symbol: 'SOLUSDT', kind: 'simulator' },
    ]);
    expect(assignMarkets('', known).map((m) => m.kind)).toEqual([
      'simulator',
      'simulator',
      'simulator',
    ]);
  });

  it('errors name the bad part', () => {
    expect(() => assignMarkets('BTCUSDT=binance,ETHUSDT=kraken', known)).toThrow(
      'LAB_MARKETS: "ETHUSDT=kraken" is not SYMBOL=simulator|binance|bybit|replay[:file.csv]',
    );
    expect(() => assignMarkets('btcusdt=binance', known)).toThrow('"btcusdt=binance"');
    expect(() => assignMarkets('ADAUSDT=bybit', known)).toThrow(
      'LAB_MARKETS: unknown symbol ADAUSDT (known: BTCUSDT, ETHUSDT, SOLUSDT)',
    );
    expect(() => assignMarkets('SOLUSDT=replay', known)).toThrow(
      'LAB_MARKETS: SOLUSDT=replay needs a file',
    );
  });
});
