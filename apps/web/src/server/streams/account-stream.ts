// The private stream of one account: a snapshot of its figures, then an update whenever it
// changes (orders, fills, funding, liquidations, from the API or the worker: every commit NOTIFYs
// lab_account_changes), new figures as the marks of its positions move, a margin-call warning when
// a margin ratio reaches MARGIN_CALL_RATIO, and liquidations. All of an account's clients share
// one group: its state is loaded once per change and each event is encoded once.
import {
  MARGIN_CALL_RATIO,
  type AccountChange,
  type AccountStreamEvent,
  type LiquidationNotice,
} from '@lab/contracts';
import type { Db } from '@lab/db';
import type { Account, Catalogue, Market } from '@lab/margin-engine';
import type { FeedUpdate, MarketFeedLike } from '@lab/market-data';
import {
  figuresOf,
  loadAccountState,
  marketOf,
  worstCompartment,
  type Figures,
  type VenuePrices,
} from '@lab/services';
import { sseFrame, type SseHub } from './sse-hub.ts';

interface Watched {
  accountId: string;
  venue: string;
  engine: Account;
  /** Its instruments (a competition account trades with its competition's fees and caps). */
  catalogue: Catalogue;
  version: number;
  lastEventSeq: number;
  /** Symbols of its positions (their marks move its figures). */
  symbols: Set<string>;
  lastFiguresJson: string;
  /** A margin call was sent and the ratio has not fallen back below the re-arm level since. */
  called: boolean;
  /** A reload is running; `dirty` asks for another one after it. */
  loading: Promise<void> | null;
  dirty: boolean;
}

/** A margin call fires again only after the ratio fell below this. */
const REARM_RATIO = MARGIN_CALL_RATIO - 0.05;
const MAX_EVENTS_PER_UPDATE = 500;
const MAX_MISSED_LIQUIDATIONS = 20;

/**
 * Work (ms) a figures pass does before letting the event loop write what it queued. The engine's
 * figures cost tens of microseconds per account: 1,000 accounts are several slices.
 */
const SLICE_MS = 10;

/** Marks waiting for a figures pass: which symbols moved, and the oldest batch behind them. */
interface MarkPass {
  ticked: Set<string>;
  publishedAt: number;
}
interface VenuePasses {
  running: boolean;
  queued: MarkPass | null;
}

const keyOf = (accountId: string) => `account|${accountId}`;
const frame = (e: AccountStreamEvent, id?: string) => sseFrame(JSON.stringify(e), id);

/**
 * SSE ids name the account's last event seen (`e<seq>`): a client that comes back with one is
 * told of the liquidations after it.
 */
const eventIdOf = (seq: number) => `e${seq}`;
const seqOfEventId = (id: string | undefined): number | undefined => {
  const m = id === undefined ? null : /^e(\d{1,9})$/.exec(id);
  return m ? Number(m[1]) : undefined;
};

/** The notice of a stored `liquidationTriggered` event (the engine's JSON, eventToJson). */
function noticeOfEvent(e: Record<string, unknown>, seq: number): LiquidationNotice {
  return {
    mode: e.mode === 'isolated' ? 'isolated' : 'cross',
    symbol: typeof e.symbol === 'string' ? e.symbol : null,
    markPrice: typeof e.markPrice === 'string' ? e.markPrice : null,
    eventSeq: seq,
    at: typeof e.time === 'number' ? e.time : Date.now(),
  };
}

export class AccountStreams {
  private readonly watched = new Map<string, Watched>();
  private readonly markPasses = new Map<string, VenuePasses>();
  /** In-process listeners (the bot API's user data streams), by account. */
  private readonly listeners = new Map<string, Set<(e: AccountStreamEvent) => void>>();
  private readonly off: () => void;

  constructor(
    private readonly hub: SseHub,
    private readonly db: Db,
    private readonly feed: MarketFeedLike,
    private readonly prices: VenuePrices,
  ) {
    this.off = feed.subscribe((u) => this.onMarks(u));
  }

  /**
   * The stream of an account the caller has already checked belongs to the signed-in user
   * (the route handler does). Throws StreamRefused when the address has too many streams.
   */
  open(address: string, accountId: string, lastEventId?: string): ReadableStream<Uint8Array> {
    return this.hub.open(
      address,
      keyOf(accountId),
      {
        snapshot: async (lastId) => {
          const w = await this.ensure(accountId);
          // the seq the snapshot tells up to, once: a reload may move it on while this one waits
          const { version, lastEventSeq } = w;
          const figures = await this.figures(w);
          const liquidations = await this.liquidationsBetween(
            w,
            seqOfEventId(lastId),
            lastEventSeq,
          );
          w.lastFiguresJson = JSON.stringify(figures);
          const snapshot: AccountStreamEvent = {
            type: 'snapshot',
            accountId,
            version,
            lastEventSeq,
            figures,
            liquidations,
            at: Date.now(),
          };
          return frame(snapshot, eventIdOf(lastEventSeq));
        },
        onEmpty: () => {
          if (!this.listeners.get(accountId)?.size) this.watched.delete(accountId);
        },
      },
      lastEventId,
    );
  }

  /**
   * The same stream in-process (the bot API's user data stream): `listener` gets a snapshot, then
   * every event the account's SSE clients get, until the returned function is called.
   */
  watch(accountId: string, listener: (e: AccountStreamEvent) => void): () => void {
    let set = this.listeners.get(accountId);
    if (!set) this.listeners.set(accountId, (set = new Set()));
    set.add(listener);
    let live = true;
    void this.ensure(accountId)
      .then(async (w) => {
        const figures = await this.figures(w);
        if (!live) return;
        const { version, lastEventSeq } = w;
        listener({
          type: 'snapshot',
          accountId,
          version,
          lastEventSeq,
          figures,
          liquidations: [],
          at: Date.now(),
        });
      })
      .catch((e: unknown) => console.error(`account stream watch failed: ${String(e)}`));
    return () => {
      live = false;
      set.delete(listener);
      if (set.size) return;
      this.listeners.delete(accountId);
      if (!this.hub.listeners(keyOf(accountId))) this.watched.delete(accountId);
    };
  }

  /** An account committed a change (CHANNELS.accountChanges). */
  onChange(change: AccountChange): void {
    const w = this.watched.get(change.accountId);
    if (!w || change.version <= w.version) return;
    this.reload(w);
  }

  /** The change listener reconnected: notifications may have been lost, so reload everyone. */
  resyncAll(): void {
    for (const w of this.watched.values()) this.reload(w);
  }

  close(): void {
    this.off();
    this.watched.clear();
  }

  private async ensure(accountId: string): Promise<Watched> {
    const existing = this.watched.get(accountId);
    if (existing) {
      if (existing.loading) await existing.loading;
      return existing;
    }
    const loaded = await loadAccountState(this.db, accountId);
    if (!loaded) throw new Error(`account ${accountId} not found`);
    const w: Watched = {
      accountId,
      venue: loaded.venueId,
      engine: loaded.engine,
      catalogue: loaded.catalogue,
      version: loaded.version,
      lastEventSeq: loaded.lastEventSeq,
      symbols: new Set(Object.keys(loaded.engine.positions)),
      lastFiguresJson: '',
      called: false,
      loading: null,
      dirty: false,
    };
    // a concurrent first open may have won the race
    const raced = this.watched.get(accountId);
    if (raced) return raced;
    this.watched.set(accountId, w);
    return w;
  }

  /**
   * The liquidations of `w` after event `since` up to event `upTo` (none without `since`), oldest
   * first, the latest MAX_MISSED_LIQUIDATIONS: from the liquidations table, whose rows are few.
   */
  private async liquidationsBetween(
    w: Watched,
    since: number | undefined,
    upTo: number,
  ): Promise<LiquidationNotice[]> {
    if (since === undefined || since >= upTo) return [];
    const rows = await this.db.liquidation.findMany({
      where: { accountId: w.accountId, eventSeq: { gt: since, lte: upTo } },
      orderBy: { id: 'desc' },
      take: MAX_MISSED_LIQUIDATIONS,
      select: { mode: true, symbol: true, markPrice: true, eventSeq: true, time: true },
    });
    return rows.reverse().map((r) => ({
      mode: r.mode === 'ISOLATED' ? 'isolated' : 'cross',
      symbol: r.symbol,
      markPrice: r.markPrice?.toFixed() ?? null,
      eventSeq: r.eventSeq,
      at: r.time.getTime(),
    }));
  }

  private async figures(w: Watched): Promise<Figures> {
    return figuresOf(w.engine, marketOf(await this.prices.quotes(w.venue), w.catalogue));
  }

  private reload(w: Watched): void {
    if (w.loading) {
      w.dirty = true;
      return;
    }
    w.loading = (async () => {
      do {
        w.dirty = false;
        const loaded = await loadAccountState(this.db, w.accountId);
        if (!loaded || this.watched.get(w.accountId) !== w) return;
        const told = w.lastEventSeq;
        // the events up to the state loaded, the latest MAX_EVENTS_PER_UPDATE of them: the
        // update's events always end at its lastEventSeq
        const rows = (
          await this.db.accountEvent.findMany({
            where: { accountId: w.accountId, seq: { gt: told, lte: loaded.lastEventSeq } },
            orderBy: { seq: 'desc' },
            take: MAX_EVENTS_PER_UPDATE,
            select: { seq: true, payload: true },
          })
        ).reverse();
        w.engine = loaded.engine;
        w.catalogue = loaded.catalogue;
        w.version = loaded.version;
        w.lastEventSeq = loaded.lastEventSeq;
        w.symbols = new Set(Object.keys(loaded.engine.positions));
        const figures = await this.figures(w);
        w.lastFiguresJson = JSON.stringify(figures);
        const events = rows.map((r) => r.payload as Record<string, unknown>);
        // more events than one update carries: the liquidations among those left out too
        const notices =
          rows.length && rows[0]!.seq > told + 1
            ? await this.liquidationsBetween(w, told, loaded.lastEventSeq)
            : rows.flatMap((r, i) =>
                events[i]!.type === 'liquidationTriggered'
                  ? [noticeOfEvent(events[i]!, r.seq)]
                  : [],
              );
        // The id goes on the last frame: a client that loses the ones after the update (a dropped
        // connection, a full queue) comes back with the earlier id and its snapshot re-tells them.
        const id = eventIdOf(w.lastEventSeq);
        this.broadcast(
          w.accountId,
          {
            type: 'update',
            accountId: w.accountId,
            version: w.version,
            lastEventSeq: w.lastEventSeq,
            figures,
            events,
            at: Date.now(),
          },
          notices.length ? undefined : id,
        );
        notices.forEach((n, i) =>
          this.broadcast(
            w.accountId,
            { type: 'liquidation', accountId: w.accountId, ...n },
            i === notices.length - 1 ? id : undefined,
          ),
        );
        this.checkMarginCall(w, figures);
      } while (w.dirty);
    })()
      .catch((e: unknown) => console.error(`account stream reload failed: ${String(e)}`))
      .finally(() => {
        w.loading = null;
      });
  }

  /**
   * New marks: the figures of every watched account holding a ticked symbol are recomputed. One
   * pass per venue at a time; marks arriving during a pass queue behind it, merged into one pass
   * (with the earliest publishedAt, so an event never claims fresher marks than it waited for).
   */
  private onMarks(u: FeedUpdate): void {
    const ticked = new Set<string>();
    for (const t of u.ticks) if (t.kind === 'mark') ticked.add(t.symbol);
    if (!ticked.size || !this.watched.size) return;
    let v = this.markPasses.get(u.venue);
    if (!v) this.markPasses.set(u.venue, (v = { running: false, queued: null }));
    if (v.queued) {
      for (const s of ticked) v.queued.ticked.add(s);
      v.queued.publishedAt = Math.min(v.queued.publishedAt, u.publishedAt);
    } else v.queued = { ticked, publishedAt: u.publishedAt };
    if (!v.running) void this.runMarkPasses(u.venue, v);
  }

  private async runMarkPasses(venue: string, v: VenuePasses): Promise<void> {
    v.running = true;
    try {
      while (v.queued) {
        const pass = v.queued;
        v.queued = null;
        await this.markPass(venue, pass);
      }
    } catch (e) {
      console.error(`account stream figures failed: ${String(e)}`);
    } finally {
      v.running = false;
    }
  }

  /**
   * One pass: the engine's figures of each account (the costly part), in slices of SLICE_MS of
   * work with the event loop free in between, so that the first accounts' events are written
   * while the rest are computed and no other request waits behind a whole pass.
   */
  private async markPass(venue: string, pass: MarkPass): Promise<void> {
    const marks = marketOf(await this.prices.quotes(venue));
    // the marks once; each account valued with its own catalogue (a competition's fees and caps)
    const markets = new Map<Catalogue, Market>([[marks.instruments, marks]]);
    const marketFor = (c: Catalogue): Market => {
      let m = markets.get(c);
      if (!m) markets.set(c, (m = { ...marks, instruments: c }));
      return m;
    };
    let sliceStart = performance.now();
    for (const w of [...this.watched.values()]) {
      if (performance.now() - sliceStart >= SLICE_MS) {
        await new Promise<void>((r) => setImmediate(r));
        sliceStart = performance.now();
      }
      // gone, or being reloaded (the reload sends its own figures)
      if (w.venue !== venue || w.loading || this.watched.get(w.accountId) !== w) continue;
      let hit = false;
      for (const s of w.symbols) if (pass.ticked.has(s)) hit = true;
      if (!hit) continue;
      const figures = figuresOf(w.engine, marketFor(w.catalogue));
      const json = JSON.stringify(figures);
      if (json === w.lastFiguresJson) continue;
      w.lastFiguresJson = json;
      const e = {
        type: 'figures' as const,
        accountId: w.accountId,
        figures,
        publishedAt: pass.publishedAt,
        at: Date.now(),
      };
      // the figures are serialised once: the comparison's text is the frame's
      this.broadcast(
        w.accountId,
        e,
        undefined,
        `{"type":"figures","accountId":${JSON.stringify(e.accountId)},"figures":${json},"publishedAt":${e.publishedAt},"at":${e.at}}`,
      );
      this.checkMarginCall(w, figures);
    }
  }

  private checkMarginCall(w: Watched, figures: Figures): void {
    const worst = worstCompartment(figures);
    if (worst.ratio < REARM_RATIO) w.called = false;
    if (w.called || worst.ratio < MARGIN_CALL_RATIO) return;
    w.called = true;
    this.broadcast(w.accountId, {
      type: 'marginCall',
      accountId: w.accountId,
      compartment: worst.compartment,
      marginRatio: worst.marginRatio,
      at: Date.now(),
    });
  }

  /** To the account's SSE clients (encoded once) and its in-process listeners. */
  private broadcast(accountId: string, e: AccountStreamEvent, id?: string, json?: string): void {
    this.hub.broadcast(keyOf(accountId), json ? sseFrame(json, id) : frame(e, id));
    for (const l of this.listeners.get(accountId) ?? []) l(e);
  }
}
