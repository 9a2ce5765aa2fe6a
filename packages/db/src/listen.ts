// One LISTEN connection on a channel, kept open: when it drops (a PostgreSQL restart, a terminated
// backend) it reconnects with backoff and calls `onReconnect`, because notifications sent while it
// was down are lost (NOTIFY is not queued) and the listener must resynchronise from the database.
import pg from 'pg';

export interface ChannelListenerOptions {
  /** First reconnect delay (ms), doubled up to 10 s. */
  retryMs?: number;
  /** Called after a reconnection (not after the first connection). */
  onReconnect?: () => void;
  log?: (msg: string) => void;
}

export interface ChannelListener {
  readonly reconnects: number;
  close(): Promise<void>;
}

/** LISTENs on `channel` and hands every payload to `onPayload` (its errors are logged). */
export async function listenToChannel(
  databaseUrl: string,
  channel: string,
  onPayload: (payload: string) => void,
  opts: ChannelListenerOptions = {},
): Promise<ChannelListener> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const firstRetry = opts.retryMs ?? 250;
  let retry = firstRetry;
  let stopped = false;
  let current: pg.Client | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let reconnects = 0;

  const scheduleReconnect = (dead: pg.Client) => {
    if (stopped || current !== dead || timer) return;
    current = null;
    timer = setTimeout(() => {
      timer = null;
      connect().then(
        () => {
          reconnects++;
          log(`${channel}: listening again`);
          opts.onReconnect?.();
        },
        (e: Error) => {
          log(`${channel}: reconnect failed: ${e.message}`);
          retry = Math.min(retry * 2, 10_000);
          current = dead;
          scheduleReconnect(dead);
        },
      );
    }, retry);
  };

  async function connect(): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl });
    client.on('notification', (msg) => {
      if (msg.channel !== channel || msg.payload === undefined) return;
      try {
        onPayload(msg.payload);
      } catch (e) {
        log(`${channel}: listener failed: ${(e as Error).message}`);
      }
    });
    client.on('error', (e) => {
      log(`${channel}: connection lost: ${e.message}`);
      scheduleReconnect(client);
    });
    client.on('end', () => scheduleReconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (e) {
      await client.end().catch(() => {});
      throw e;
    }
    if (stopped) {
      await client.end();
      return;
    }
    current = client;
    retry = firstRetry;
  }

  await connect();
  return {
    get reconnects() {
      return reconnects;
    },
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = current;
      current = null;
      await c?.end().catch(() => {});
    },
  };
}
