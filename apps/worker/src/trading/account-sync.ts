// Keeps the trading loops' memory current as the API changes accounts: every commit that changes
// an account NOTIFYs CHANNELS.accountChanges with { accountId, venue, version } (persistResults),
// delivered on commit; this LISTENs on a connection of its own and hands each change to its
// venue's runner, which reloads the account in a batch and evaluates it at once. NOTIFY is not
// queued while the connection is down, so after a reconnect every runner resyncs (compares the
// stored versions with memory); a periodic resync covers anything else.
import { accountChangeSchema, CHANNELS } from '@lab/contracts';
import pg from 'pg';

export interface AccountChangeTarget {
  readonly venue: string;
  accountChanged(accountId: string, version: number): void;
  resync(): Promise<void>;
}

export async function listenForAccountChanges(
  databaseUrl: string,
  targets: readonly AccountChangeTarget[],
  log: (msg: string) => void,
  opts: { retryMs?: number } = {},
): Promise<() => Promise<void>> {
  const byVenue = new Map(targets.map((t) => [t.venue, t]));
  const firstRetry = opts.retryMs ?? 250;
  let retry = firstRetry;
  let stopped = false;
  let current: pg.Client | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const onChange = (msg: pg.Notification) => {
    let parsed;
    try {
      parsed = accountChangeSchema.safeParse(JSON.parse(msg.payload ?? ''));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      log(`account change ignored (not a valid payload): ${msg.payload?.slice(0, 200)}`);
      return;
    }
    byVenue.get(parsed.data.venue)?.accountChanged(parsed.data.accountId, parsed.data.version);
  };

  const scheduleReconnect = (dead: pg.Client) => {
    if (stopped || current !== dead || timer) return;
    current = null;
    timer = setTimeout(() => {
      timer = null;
      connect().then(
        () => {
          log('account change channel reconnected; resyncing memory');
          for (const t of targets) void t.resync();
        },
        (e: Error) => {
          log(`account change channel reconnect failed: ${e.message}`);
          retry = Math.min(retry * 2, 10_000);
          current = dead;
          scheduleReconnect(dead);
        },
      );
    }, retry);
  };

  async function connect(): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl, keepAlive: true });
    client.on('notification', onChange);
    client.on('error', (e) => {
      log(`account change channel lost: ${e.message}`);
      scheduleReconnect(client);
    });
    client.on('end', () => scheduleReconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNELS.accountChanges}`);
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
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    const c = current;
    current = null;
    await c?.end().catch(() => {});
  };
}
