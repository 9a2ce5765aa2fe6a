// The trading loop of one venue. Every batch of ticks the venue's market data services publish
// (the same prices the web servers get) becomes price and funding points; one cycle at a time,
// the loop finds in memory the accounts the points concern (the LiquidationIndex for liquidations,
// the OrderIndex for stops, take-profits and resting limits, every holder of the symbol at a
// funding time), checks each with the engine on its state in memory, and then, for those with
// something to do, locks them in batches, runs the same engine computation on the state under
// the lock (memory's own when the locked row is still at its version, else loaded), and commits
// it (the batch path of @lab/services). Memory takes what was
// committed; accounts changed by the API are reloaded (account-sync.ts) and evaluated at once.
import type { MarketTick } from '@lab/contracts';
import type { Db } from '@lab/db';
import type { Account, Market } from '@lab/margin-engine';
import {
  isRunning,
  runOnAccounts,
  type LoadedAccount,
  type Step,
  type Transactor,
} from '@lab/services';
import { applyPoints, fundingFor, marketAfter } from './engine-steps.ts';
import { fundingHistories, type FundingHistory } from './funding-history.ts';
import type { PriceRange } from './order-index.ts';
import type { FundingPoint, PricePoint } from './points.ts';
import { PriceState } from './price-state.ts';
import { VenueMemory } from './venue-memory.ts';
import {
  accountVersions,
  accountsHoldingSomething,
  fundingIntervalMs,
  loadFundingProgress,
  loadStoredQuotes,
  loadVenue,
  readAccounts,
  saveFundingProgress,
} from './venue-store.ts';

export interface VenueRunnerOptions {
  db: Db;
  /** Where the batches run (default: Prisma's client); the worker passes a pg pool's. */
  transactor?: Transactor;
  venue: string;
  log: (msg: string) => void;
  /** Accounts per transaction of the batch path. */
  batchSize?: number;
  /** Batches committed at once, each on its own connection. */
  concurrency?: number;
  /** How often memory is compared with the stored versions (a missed notification), ms. */
  resyncEveryMs?: number;
  /** Wall clock (staleness of prices, time of at-once evaluations). */
  now?: () => number;
  /**
   * How long a cycle waits for more changed accounts when only the API's changes (no tick) woke
   * it, ms: one reload statement then serves every order placed meanwhile, instead of one per
   * order (default 20; a tick starts the cycle at once).
   */
  reloadGatherMs?: number;
}

export interface RunnerStats {
  cycles: number;
  points: number;
  /** Accounts the engine acted on, committed. */
  committed: number;
  liquidations: number;
  fills: number;
  fundingPayments: number;
  batches: number;
  failedBatches: number;
  reloads: number;
}

/** The engine computation of a phase on one account as loaded under its lock. */
type Compute = (
  loaded: LoadedAccount,
  funding: FundingHistory | undefined,
) => Step<null> | undefined;

/** A funding run's phase: its time and symbols (what the batch reads under its locks). */
interface FundingRun {
  fundingTime: number;
  symbols: string[];
}

/** A reload that must take the stored state and evaluate it, whatever the versions say. */
const FORCE = Number.MAX_SAFE_INTEGER;

/**
 * How many accounts each batch of a commit of `n` takes: `size` each, but when there are many,
 * the first two and the last two ramp (a quarter, a half): the database starts on the first write
 * sooner, and the last writes, with no engine work left to overlap them, end sooner.
 */
export function batchSizes(n: number, size: number): number[] {
  const quarter = Math.max(1, Math.floor(size / 4));
  const half = Math.max(1, Math.floor(size / 2));
  const ramp = 2 * (quarter + half);
  if (n < ramp + size)
    return Array.from({ length: Math.ceil(n / size) }, (_, i) => Math.min(size, n - i * size));
  const middle = n - ramp;
  const count = Math.ceil(middle / size);
  const each = Array.from({ length: count }, (_, i) => Math.floor((middle + i) / count));
  return [quarter, half, ...each, half, quarter];
}

export class VenueRunner {
  readonly venue: string;
  private readonly db: Db;
  private readonly transactor: Db | Transactor;
  private readonly log: (msg: string) => void;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private prices!: PriceState;
  private memory!: VenueMemory;
  /** The market the loop last acted at (every live point folded in). */
  private market!: Market;
  private pendingTicks: MarketTick[] = [];
  /** Accounts to reload: the version the notification announced. */
  private readonly pendingReloads = new Map<string, number>();
  /** When each account was last reloaded (wall clock): a funding run looks at recent ones. */
  private readonly recentReloads = new Map<string, number>();
  private loop: Promise<void> | null = null;
  private started = false;
  private stopped = false;
  private resyncTimer: ReturnType<typeof setInterval> | null = null;
  private gatherTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly idleWaiters: Array<() => void> = [];
  readonly stats: RunnerStats = {
    cycles: 0,
    points: 0,
    committed: 0,
    liquidations: 0,
    fills: 0,
    fundingPayments: 0,
    batches: 0,
    failedBatches: 0,
    reloads: 0,
  };

  constructor(private readonly opts: VenueRunnerOptions) {
    this.venue = opts.venue;
    this.db = opts.db;
    this.transactor = opts.transactor ?? opts.db;
    this.log = opts.log;
    this.batchSize = opts.batchSize ?? 500;
    this.concurrency = opts.concurrency ?? 2;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Rebuilds memory from the database: the venue's funding interval, the stored prices and
   * funding progress, and every account holding a position or an open order. Ticks received
   * meanwhile wait and are processed right after.
   */
  async start(): Promise<void> {
    const t0 = performance.now();
    const venue = await loadVenue(this.db, this.venue);
    const stored = await loadStoredQuotes(this.db, this.venue);
    const completed = await loadFundingProgress(this.db, this.venue);
    this.prices = new PriceState(
      { intervalMs: (s) => fundingIntervalMs(venue, s), completed },
      stored,
      this.now(),
    );
    this.market = this.prices.market;
    this.memory = new VenueMemory(this.market);
    const ids = await accountsHoldingSomething(this.db, this.venue);
    const loaded = await readAccounts(this.db, ids);
    this.memory.rebuild(
      loaded.map((l) => ({ account: l.engine, version: l.version })),
      this.market,
    );
    // a first start records the funding times it treats as handled, so that a later restart
    // catches up on the one it missed
    await saveFundingProgress(
      this.db,
      this.venue,
      new Map(
        stored.flatMap((q) => {
          const t = this.prices.fundedThrough(q.symbol);
          return t === undefined || completed.has(q.symbol) ? [] : [[q.symbol, t] as const];
        }),
      ),
    );
    this.started = true;
    this.log(
      `trading ${this.venue}: ${this.memory.size} accounts in memory (of ${ids.length} holding something), ${this.memory.orders.size} open orders indexed, in ${Math.round(performance.now() - t0)} ms`,
    );
    if (this.opts.resyncEveryMs !== 0)
      this.resyncTimer = setInterval(() => void this.resync(), this.opts.resyncEveryMs ?? 30_000);
    this.kick();
  }

  /** A batch of the venue's live ticks (MarketDataService.onTicks). */
  onTicks(batch: readonly MarketTick[]): void {
    if (this.stopped) return;
    for (const t of batch) this.pendingTicks.push(t);
    this.kick();
  }

  /** An account of this venue was committed at `version` (LISTEN on CHANNELS.accountChanges). */
  accountChanged(accountId: string, version: number): void {
    if (this.stopped) return;
    if (this.started && (this.memory.knownVersion(accountId) ?? -1) >= version) return;
    this.pendingReloads.set(accountId, Math.max(version, this.pendingReloads.get(accountId) ?? 0));
    this.kick();
  }

  /** Everything known to have changed (the notification channel was down): reload all of it. */
  async resync(): Promise<void> {
    if (this.stopped || !this.started) return;
    try {
      const versions = await accountVersions(this.db, this.venue);
      for (const id of this.memory.ids()) if (!versions.has(id)) this.pendingReloads.set(id, FORCE);
      for (const [id, v] of versions) {
        const mine = this.memory.version(id);
        if (mine !== undefined && mine < v) this.pendingReloads.set(id, v);
      }
      const held = new Set(await accountsHoldingSomething(this.db, this.venue));
      for (const id of held)
        if (this.memory.version(id) === undefined)
          this.pendingReloads.set(id, versions.get(id) ?? 0);
      this.kick();
    } catch (e) {
      this.log(`trading ${this.venue}: resync failed: ${(e as Error).message}`);
    }
  }

  /** Resolves when no cycle runs and nothing waits (tests, benchmarks). */
  whenIdle(): Promise<void> {
    if (
      !this.loop &&
      (this.stopped || (this.pendingTicks.length === 0 && this.pendingReloads.size === 0))
    )
      return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops taking ticks and waits for the cycle in progress to commit. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    if (this.gatherTimer) clearTimeout(this.gatherTimer);
    this.gatherTimer = null;
    await this.loop;
    if (!this.loop) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Memory of an account (tests). */
  accountInMemory(id: string): { account: Account; version: number } | undefined {
    const h = this.memory?.get(id);
    return h && { account: h.account, version: h.version };
  }

  private kick(now = false): void {
    if (this.loop || !this.started) return;
    const gather = this.opts.reloadGatherMs ?? 20;
    if (!now && this.pendingTicks.length === 0 && this.pendingReloads.size > 0 && gather > 0) {
      this.gatherTimer ??= setTimeout(() => {
        this.gatherTimer = null;
        if (!this.stopped) this.kick(true);
      }, gather);
      return;
    }
    if (this.gatherTimer) {
      clearTimeout(this.gatherTimer);
      this.gatherTimer = null;
    }
    this.loop = this.run().finally(() => {
      this.loop = null;
      if (!this.stopped && (this.pendingTicks.length || this.pendingReloads.size)) this.kick();
      else for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  private async run(): Promise<void> {
    while (this.pendingTicks.length || this.pendingReloads.size) {
      try {
        await this.cycle();
      } catch (e) {
        this.log(`trading ${this.venue}: cycle failed: ${(e as Error).stack ?? String(e)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      if (this.stopped) break;
    }
  }

  /** One cycle: the ticks and reloads since the last, in order, committed before the next. */
  private async cycle(): Promise<void> {
    this.stats.cycles++;
    const ticks = this.pendingTicks;
    this.pendingTicks = [];
    const now = this.now();
    const points = this.prices.apply(ticks, now);
    this.stats.points += points.length;
    const reloaded = await this.reload();
    let segment: PricePoint[] = [];
    let atOnce = reloaded;
    for (const p of points) {
      if (p.kind === 'price') {
        segment.push(p);
        continue;
      }
      await this.priceSegment(segment, atOnce, now);
      segment = [];
      atOnce = new Set();
      await this.fundingPhase(p);
    }
    await this.priceSegment(segment, atOnce, now);
  }

  /** Reloads the accounts the API changed; returns those whose memory changed. */
  private async reload(): Promise<Set<string>> {
    const changed = new Set<string>();
    if (this.pendingReloads.size === 0) return changed;
    const wanted = [...this.pendingReloads].filter(
      ([id, v]) => (this.memory.knownVersion(id) ?? -1) < v,
    );
    this.pendingReloads.clear();
    if (wanted.length === 0) return changed;
    const ids = wanted.map(([id]) => id);
    const forced = new Set(wanted.filter(([, v]) => v === FORCE).map(([id]) => id));
    const loaded = await readAccounts(this.db, ids);
    this.stats.reloads += loaded.length;
    const wall = this.now();
    for (const [id, t] of this.recentReloads)
      if (t < wall - 15 * 60_000) this.recentReloads.delete(id);
    for (const l of loaded) this.recentReloads.set(l.id, wall);
    const found = new Set<string>();
    for (const l of loaded) {
      found.add(l.id);
      if (l.venueId !== this.venue || l.status !== 'ACTIVE') {
        this.memory.drop(l.id);
        continue;
      }
      if (!forced.has(l.id) && l.version <= (this.memory.knownVersion(l.id) ?? -1)) continue;
      this.memory.set(l.engine, l.version);
      changed.add(l.id);
    }
    for (const id of ids) if (!found.has(id)) this.memory.drop(id);
    return changed;
  }

  private live = (symbol: string) => this.prices.isLive(symbol, this.now());

  /**
   * Price points (and accounts to evaluate at once): candidates from the indexes, each checked
   * with the engine on its memory, then the ones with something to do run under their locks.
   */
  private async priceSegment(
    points: readonly PricePoint[],
    atOnce: ReadonlySet<string>,
    now: number,
  ): Promise<void> {
    if (points.length === 0 && atOnce.size === 0) return;
    const start = this.market;
    const act = new Set<string>();
    const ranges = new Map<string, PriceRange>();
    for (const p of points) {
      if (p.markMoved)
        for (const id of this.memory.liquidatable(p.symbol, p.markPrice)) act.add(id);
      const mark = p.markPrice.toNumber();
      const trade = (p.lastPrice ?? p.markPrice).toNumber();
      const r = ranges.get(p.symbol);
      if (!r)
        ranges.set(p.symbol, { minMark: mark, maxMark: mark, minTrade: trade, maxTrade: trade });
      else {
        r.minMark = Math.min(r.minMark, mark);
        r.maxMark = Math.max(r.maxMark, mark);
        r.minTrade = Math.min(r.minTrade, trade);
        r.maxTrade = Math.max(r.maxTrade, trade);
      }
    }
    const maybe = new Set(atOnce);
    for (const [symbol, r] of ranges) this.memory.orders.candidates(symbol, r, maybe);
    const at = { time: now, live: this.live };
    for (const id of maybe) {
      if (act.has(id)) continue;
      const h = this.memory.get(id);
      if (!h) continue;
      const r = applyPoints(h.account, start, points, atOnce.has(id) ? at : undefined);
      if (r.result.events.length) act.add(id);
    }
    this.market = marketAfter(start, points);
    if (act.size === 0) return;
    // one market per catalogue, so that the engine's re-marked copies of it are shared too
    const owns = new Map<Market['instruments'], Market>();
    await this.commit([...act], (loaded) => {
      // confirmed with the account's own instruments (a competition's fee rates and caps); the
      // candidates above used the catalogue's, whose maintenance margins are the same
      let own = owns.get(loaded.catalogue);
      if (!own) owns.set(loaded.catalogue, (own = { ...start, instruments: loaded.catalogue }));
      const r = applyPoints(loaded.engine, own, points, atOnce.has(loaded.id) ? at : undefined);
      if (r.result.events.length === 0) return undefined;
      return {
        result: r.result,
        context: { market: r.market, eventMarks: r.marks },
        value: null,
      };
    });
  }

  /**
   * Funding at a funding time for every account holding a due symbol then, each paid at most
   * once: the holders in memory, and the accounts reloaded since the funding time (one that
   * closed its position after it still pays for what it held).
   */
  private async fundingPhase(p: FundingPoint): Promise<void> {
    const symbols = Object.keys(p.rates);
    const ids = new Set(this.memory.withPositionIn(symbols));
    for (const [id, at] of this.recentReloads) if (at >= p.fundingTime - 5000) ids.add(id);
    const t0 = performance.now();
    const before = this.stats.fundingPayments;
    await this.commit(
      [...ids],
      (loaded, history) => {
        const result = fundingFor(
          loaded.engine,
          { ...p.market, instruments: loaded.catalogue },
          p.rates,
          history ?? { paid: new Set() },
          p.time,
        );
        return (
          result && {
            result,
            context: { market: p.market, fundingTime: p.fundingTime },
            value: null,
          }
        );
      },
      { fundingTime: p.fundingTime, symbols },
    );
    await saveFundingProgress(this.db, this.venue, new Map(symbols.map((s) => [s, p.fundingTime])));
    this.log(
      `trading ${this.venue}: funding ${new Date(p.fundingTime).toISOString()} (${symbols.join(' ')}): ${this.stats.fundingPayments - before} payments, ${ids.size} accounts, ${Math.round(performance.now() - t0)} ms`,
    );
  }

  /**
   * Runs `compute` on each account as loaded under its row lock, in batches (id order) of
   * `batchSize`, `concurrency` at a time, and takes into memory what each batch committed. A
   * failed batch is rolled back whole; its accounts are reloaded and evaluated at once next cycle.
   */
  private async commit(ids: string[], compute: Compute, funding?: FundingRun): Promise<void> {
    ids.sort();
    const batches: string[][] = [];
    let from = 0;
    for (const n of batchSizes(ids.length, this.batchSize))
      batches.push(ids.slice(from, (from += n)));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        await this.commitBatch(batch, compute, funding);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, batches.length) }, worker));
  }

  private async commitBatch(
    batch: string[],
    compute: Compute,
    funding: FundingRun | undefined,
  ): Promise<void> {
    try {
      const out = await runOnAccounts(
        this.transactor,
        batch,
        async (accounts, tx) => {
          // a funding time already paid (a restart during a funding run) is skipped, not re-paid
          const histories = funding
            ? await fundingHistories(
                tx,
                accounts.map((a) => a.id),
                funding.fundingTime,
                funding.symbols,
              )
            : undefined;
          const steps = new Map<string, Step<null>>();
          const now = this.now();
          for (const l of accounts) {
            // a competition account moves only while its competition runs: after the end nothing
            // fills, triggers, liquidates or pays funding before the standings freeze
            const closed = l.competition !== undefined && !isRunning(l.competition, now);
            steps.set(
              l.id,
              (closed ? undefined : compute(l, histories?.get(l.id))) ?? { value: null },
            );
          }
          return steps;
        },
        { known: (id) => this.memory.get(id) },
      );
      this.stats.batches++;
      for (const id of batch) {
        const o = out.get(id);
        if (!o) {
          this.memory.drop(id); // gone or archived
          continue;
        }
        if (o.persisted && o.account) {
          this.memory.set(o.account, o.persisted.version);
          this.count(o.persisted.events);
        } else {
          this.memory.set(o.loaded.engine, o.loaded.version);
        }
      }
    } catch (e) {
      this.stats.failedBatches++;
      this.log(
        `trading ${this.venue}: a batch of ${batch.length} accounts failed and was rolled back: ${(e as Error).message}`,
      );
      for (const id of batch) {
        this.memory.refresh(id);
        this.pendingReloads.set(id, FORCE);
      }
    }
  }

  private count(events: ReadonlyArray<{ type: string }>): void {
    if (events.length) this.stats.committed++;
    for (const ev of events) {
      if (ev.type === 'liquidation') this.stats.liquidations++;
      else if (ev.type === 'fill') this.stats.fills++;
      else if (ev.type === 'fundingPaid') this.stats.fundingPayments++;
    }
  }
}
