// The worker's part of classroom competitions, on the active worker only (the advisory lock):
// - moves the stored states on (scheduled -> running at startsAt, -> finished at endsAt or when a
//   host ended it) and freezes a finished competition (every position closed at the mark, the
//   final snapshot), stopping its own market first so nothing moves after the end;
// - runs the own market (CompetitionVenue) of every scheduled or running competition that has
//   one, and stops it when the competition ends;
// - takes the equity snapshots of every running competition's participants at its interval
//   (startsAt + k x snapshotSeconds; batches of 500 in the service);
// - applies the after-liquidation rule (out, or reset with a penalty) to liquidated participants;
// - checks the risk-rule assignments (teaching) every few seconds, and after the freeze computes
//   the class report once.
// Market commands for a competition's venue reach its simulator through simulatorOf().
import { MAIN_VENUE, type MarketTick } from '@lab/contracts';
import type { Db } from '@lab/db';
import { MarketFeed, type SimulatorSource } from '@lab/market-data';
import {
  applyLiquidationRule,
  buildClassReport,
  effectiveState,
  evaluateCompliance,
  feedPrices,
  finishDueCompetitions,
  freezeCompetition,
  startDueCompetitions,
  storedPrices,
  takeSnapshots,
  type VenuePrices,
} from '@lab/services';
import { CompetitionVenue, type VenueServices } from './competition-venue.ts';

export interface ManagerOptions extends VenueServices {
  /** The services' database client (state changes, snapshots, the freeze). */
  db: Db;
  /** How often the manager looks at the competitions (ms). */
  pollMs?: number;
  /** How often each venue's tick and lag figures are logged (ms; 0: never). */
  reportMs?: number;
  /** How often a running competition's risk rules are checked (ms). */
  rulesMs?: number;
  now?: () => number;
}

type ActiveRow = Awaited<ReturnType<typeof activeCompetitions>>[number];

function activeCompetitions(db: Db) {
  return db.competition.findMany({
    where: { state: { in: ['SCHEDULED', 'RUNNING'] } },
    include: { venue: true },
    orderBy: { startsAt: 'asc' },
  });
}

const stateAt = (c: ActiveRow, now: number) =>
  effectiveState(
    {
      state: c.state,
      startsAt: c.startsAt.getTime(),
      endsAt: c.endsAt.getTime(),
      endedAt: c.endedAt?.getTime() ?? null,
    },
    now,
  );

/**
 * Prices for the services run here: the latest ticks this process saw of the venue, else (a
 * venue not running in this process, e.g. right after a restart) the stored tickers.
 */
function latestPrices(feed: MarketFeed, db: Db): VenuePrices {
  const live = feedPrices(feed);
  const stored = storedPrices(db);
  return {
    async quotes(venue) {
      const q = await live.quotes(venue);
      return q.size ? q : stored.quotes(venue);
    },
  };
}

export class CompetitionManager {
  private readonly feed = new MarketFeed();
  readonly prices: VenuePrices;
  private readonly venues = new Map<string, CompetitionVenue>();
  /** The last snapshot time taken per competition (a restart takes the current one again: harmless). */
  private readonly lastSnapshot = new Map<string, number>();
  /** When each running competition's rules were last checked. */
  private readonly lastRules = new Map<string, number>();
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private reporter: ReturnType<typeof setInterval> | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  readonly stats = { cycles: 0, snapshots: 0, frozen: 0, started: 0, failures: 0 };

  constructor(private readonly opts: ManagerOptions) {
    this.now = opts.now ?? Date.now;
    this.prices = latestPrices(this.feed, opts.db);
  }

  /** A batch of the main venue's live ticks (main-market competitions are valued with them). */
  ingest(venue: string, ticks: readonly MarketTick[]): void {
    this.feed.ingest({ venue, publishedAt: this.now(), ticks: [...ticks] });
  }

  /** The simulator of a competition venue running here (market commands). */
  simulatorOf(venue: string): SimulatorSource | undefined {
    return venue === MAIN_VENUE ? undefined : this.venues.get(venue)?.simulator;
  }

  venue(id: string): CompetitionVenue | undefined {
    return this.venues.get(id);
  }

  start(): void {
    this.schedule(0);
    const every = this.opts.reportMs ?? 10_000;
    if (every > 0) this.reporter = setInterval(() => this.report(), every);
  }

  /** Runs one pass now (tests), after the pass in progress. */
  async runOnce(): Promise<void> {
    await this.running;
    this.running = this.cycle();
    await this.running;
    this.running = null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.reporter) clearInterval(this.reporter);
    await this.running;
    for (const v of this.venues.values()) await v.stop();
    this.venues.clear();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runOnce().finally(() => this.schedule(this.delay()));
    }, ms);
  }

  /** Until the next pass: the poll interval, sooner when a competition ends before it. */
  private nextEnd = Infinity;
  private delay(): number {
    const poll = this.opts.pollMs ?? 500;
    const untilEnd = this.nextEnd - this.now();
    return untilEnd > 0 ? Math.min(poll, untilEnd) : poll;
  }

  private async cycle(): Promise<void> {
    if (this.stopped) return;
    this.stats.cycles++;
    const { db, log } = this.opts;
    try {
      const now = this.now();
      await startDueCompetitions(db, now);
      for (const id of await finishDueCompetitions(db, now)) await this.freeze(id);
      const active = await activeCompetitions(db);
      this.nextEnd = Math.min(Infinity, ...active.map((c) => c.endsAt.getTime()));
      await this.syncVenues(active);
      for (const c of active) {
        if (this.stopped || stateAt(c, this.now()) !== 'RUNNING') continue;
        await this.guard(`competition ${c.id}`, async () => {
          await this.snapshotIfDue(c);
          await this.checkRulesIfDue(c.id);
          if (c.afterLiquidation !== 'CONTINUE') {
            const done = await applyLiquidationRule(db, this.prices, c.id);
            if (done.out || done.reset)
              log(`competition ${c.id}: after liquidations, ${done.out} out, ${done.reset} reset`);
          }
        });
      }
    } catch (e) {
      this.stats.failures++;
      log(`competitions: pass failed: ${(e as Error).stack ?? String(e)}`);
    }
  }

  private async guard(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.stats.failures++;
      this.opts.log(`${what}: ${(e as Error).message}`);
    }
  }

  /** Own markets run for scheduled and running competitions, and only for them. */
  private async syncVenues(active: ActiveRow[]): Promise<void> {
    const wanted = new Map(
      active.filter((c) => c.venue.kind === 'SIMULATED').map((c) => [c.venueId, c.venue]),
    );
    for (const [id, v] of wanted) {
      if (this.venues.has(id) || this.stopped) continue;
      const venue = new CompetitionVenue(
        this.opts,
        {
          id,
          seed: v.seed,
          ticksPerSecond: v.ticksPerSecond,
          fundingIntervalMinutes: v.fundingIntervalMinutes,
          symbols: v.symbols,
        },
        (venueId, ticks) => this.ingest(venueId, ticks),
      );
      this.venues.set(id, venue);
      await this.guard(`competition venue ${id}: start failed`, async () => {
        try {
          await venue.start();
          this.stats.started++;
        } catch (e) {
          this.venues.delete(id);
          await venue.stop().catch(() => {});
          throw e;
        }
      });
    }
    for (const id of [...this.venues.keys()]) if (!wanted.has(id)) await this.stopVenue(id);
  }

  private async stopVenue(id: string): Promise<void> {
    const v = this.venues.get(id);
    if (!v) return;
    this.venues.delete(id);
    await v.stop();
    this.opts.log(`competition venue ${id}: stopped`);
  }

  /** The end: the own market stops first (its last ticks processed), then the freeze. */
  private async freeze(competitionId: string): Promise<void> {
    await this.guard(`competition ${competitionId}: freeze failed`, async () => {
      const c = await this.opts.db.competition.findUniqueOrThrow({
        where: { id: competitionId },
        select: { venueId: true },
      });
      await this.stopVenue(c.venueId);
      const t0 = performance.now();
      if (await freezeCompetition(this.opts.db, this.prices, competitionId, { now: this.now() })) {
        this.stats.frozen++;
        this.lastSnapshot.delete(competitionId);
        this.lastRules.delete(competitionId);
        this.opts.log(
          `competition ${competitionId}: ended; standings frozen in ${Math.round(performance.now() - t0)} ms`,
        );
        await this.finalReport(competitionId);
      }
    });
  }

  /** The risk rules of participants whose accounts moved (teaching), every rulesMs. */
  private async checkRulesIfDue(competitionId: string): Promise<void> {
    const now = this.now();
    if (now - (this.lastRules.get(competitionId) ?? -Infinity) < (this.opts.rulesMs ?? 2000))
      return;
    this.lastRules.set(competitionId, now);
    await evaluateCompliance(this.opts.db, competitionId, { now });
  }

  /** After the freeze: the rules' final check and the class report, computed once. */
  private async finalReport(competitionId: string): Promise<void> {
    await this.guard(`competition ${competitionId}: class report failed`, async () => {
      const t0 = performance.now();
      await evaluateCompliance(this.opts.db, competitionId, { now: this.now() });
      const r = await buildClassReport(this.opts.db, this.prices, competitionId);
      this.opts.log(
        `competition ${competitionId}: class report of ${r.students.length} students in ${Math.round(performance.now() - t0)} ms`,
      );
    });
  }

  /** The snapshot of the grid time just passed, if not taken yet. */
  private async snapshotIfDue(c: ActiveRow): Promise<void> {
    const interval = c.snapshotSeconds * 1000;
    const start = c.startsAt.getTime();
    const at = start + Math.floor((this.now() - start) / interval) * interval;
    if ((this.lastSnapshot.get(c.id) ?? -Infinity) >= at) return;
    if ((await this.prices.quotes(c.venueId)).size === 0) return; // no prices yet: next pass
    const t0 = performance.now();
    const r = await takeSnapshots(this.opts.db, this.prices, c.id, at);
    this.lastSnapshot.set(c.id, at);
    this.stats.snapshots++;
    if (r.participants >= 100)
      this.opts.log(
        `competition ${c.id}: snapshot of ${r.participants} participants in ${Math.round(performance.now() - t0)} ms`,
      );
  }

  private report(): void {
    for (const v of this.venues.values()) {
      const lag = v.lag.take();
      const s = v.trading?.stats;
      this.opts.log(
        `competition venue ${v.id}: ticks produced ${v.counts.produced}, processed ${v.counts.processed}; trading lag p50 ${lag.p50.toFixed(1)} ms p99 ${lag.p99.toFixed(1)} ms max ${lag.max.toFixed(1)} ms over ${lag.batches} batches; liquidations ${s?.liquidations ?? 0}, fills ${s?.fills ?? 0}`,
      );
    }
  }
}
