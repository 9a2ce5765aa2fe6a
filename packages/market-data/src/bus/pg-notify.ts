// TickPublisher/TickSubscriber over PostgreSQL LISTEN/NOTIFY. A NOTIFY payload is limited to
// 8000 bytes, so a batch is split into several notifications, each a complete JSON document.
import { CHANNELS } from '@lab/contracts';
import pg from 'pg';
import type { MarketTick } from '../types.ts';
import type { TickBatch, TickPublisher, TickSubscriber } from './types.ts';

export const TICK_CHANNEL: string = CHANNELS.marketTicks;
const MAX_PAYLOAD = 7800;

interface Wire {
  v: 1;
  at: number;
  /** Venue (absent: the main market). */
  vn?: string;
  t: MarketTick[];
}

/** Splits ticks into JSON payloads under the NOTIFY limit (a limit in bytes: UTF-8 length, not characters). */
export function encodeBatches(
  ticks: readonly MarketTick[],
  publishedAt: number,
  venue?: string,
): string[] {
  const head = (t: MarketTick[]): Wire => ({
    v: 1,
    at: publishedAt,
    ...(venue ? { vn: venue } : {}),
    t,
  });
  const out: string[] = [];
  let current: MarketTick[] = [];
  let size = 30 + (venue?.length ?? 0);
  for (const tick of ticks) {
    const len = Buffer.byteLength(JSON.stringify(tick)) + 1;
    if (len + 30 > MAX_PAYLOAD)
      throw new Error(`tick for ${tick.symbol} is too large for NOTIFY (${len} bytes)`);
    if (size + len > MAX_PAYLOAD && current.length) {
      out.push(JSON.stringify(head(current)));
      current = [];
      size = 30;
    }
    current.push(tick);
    size += len;
  }
  if (current.length) out.push(JSON.stringify(head(current)));
  return out;
}

export class PgNotifyPublisher implements TickPublisher {
  private readonly pool: pg.Pool;

  constructor(
    databaseUrl: string,
    private readonly channel = TICK_CHANNEL,
  ) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    this.pool.on('error', () => {}); // idle-client errors: the next publish reconnects
  }

  async publish(ticks: readonly MarketTick[], venue?: string): Promise<void> {
    if (!ticks.length) return;
    const payloads = encodeBatches(ticks, Date.now(), venue);
    const client = await this.pool.connect();
    try {
      for (const p of payloads) await client.query('SELECT pg_notify($1, $2)', [this.channel, p]);
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * One LISTEN connection per process, shared by every consumer in it; reconnects with backoff
 * when the connection drops (ticks sent meanwhile are lost; consumers resync from the latest state).
 */
export class PgNotifySubscriber implements TickSubscriber {
  private client: pg.Client | null = null;
  private readonly listeners = new Set<(batch: TickBatch) => void>();
  private closed = false;
  private retryMs = 250;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Notifications that could not be parsed (should stay 0). */
  malformed = 0;
  reconnects = 0;

  constructor(
    private readonly databaseUrl: string,
    private readonly channel = TICK_CHANNEL,
    private readonly log: (msg: string) => void = (m) => console.error(m),
  ) {}

  onBatch(listener: (batch: TickBatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('notification', (msg) => {
      if (msg.channel !== this.channel || !msg.payload) return;
      let wire: Wire;
      try {
        wire = JSON.parse(msg.payload) as Wire;
        if (wire.v !== 1 || !Array.isArray(wire.t)) throw new Error('bad shape');
      } catch {
        this.malformed++;
        return;
      }
      const batch: TickBatch = {
        ticks: wire.t,
        publishedAt: wire.at,
        ...(wire.vn ? { venue: wire.vn } : {}),
      };
      for (const l of this.listeners) {
        try {
          l(batch);
        } catch (e) {
          this.log(`market tick listener failed: ${(e as Error).message}`);
        }
      }
    });
    client.on('error', (e) => {
      this.log(`market tick subscription lost: ${e.message}`);
      this.scheduleReconnect(client);
    });
    client.on('end', () => this.scheduleReconnect(client));
    await client.connect();
    await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
    this.client = client;
    this.retryMs = 250;
  }

  private scheduleReconnect(dead: pg.Client): void {
    if (this.closed || this.client !== dead || this.retryTimer) return;
    this.client = null;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.reconnects++;
      this.connect().catch((e: Error) => {
        this.log(`market tick subscription reconnect failed: ${e.message}`);
        this.retryMs = Math.min(this.retryMs * 2, 10_000);
        this.client = dead;
        this.scheduleReconnect(dead);
      });
    }, this.retryMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.listeners.clear();
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }
}
