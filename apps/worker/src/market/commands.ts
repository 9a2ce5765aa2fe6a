// Market commands from the API (an admin triggering a crash on the main market, a host on their
// competition's own market), received on a LISTEN channel so that they reach the worker that owns
// the simulator of that venue. The listening connection
// comes back after it drops (a PostgreSQL restart, a terminated backend), with backoff; commands
// sent while it is down are lost (NOTIFY is not queued), and the API reports nothing about that.
import { validateScenarioEvent, type SimulatorSource } from '@lab/market-data';
import { CHANNELS, MAIN_VENUE, marketCommandSchema } from '@lab/contracts';
import pg from 'pg';

export const COMMAND_CHANNEL = CHANNELS.marketCommands;

export interface CommandListenerOptions {
  /** First reconnect delay (ms), doubled up to 10 s. */
  retryMs?: number;
  /** The simulator of another venue this worker runs (a competition's own market), if any. */
  venues?: (venue: string) => SimulatorSource | undefined;
}

export async function listenForCommands(
  databaseUrl: string,
  simulator: SimulatorSource | null,
  log: (msg: string) => void,
  opts: CommandListenerOptions = {},
): Promise<() => Promise<void>> {
  const firstRetry = opts.retryMs ?? 250;
  let retry = firstRetry;
  let stopped = false;
  let current: pg.Client | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const onCommand = (msg: pg.Notification) => {
    try {
      const parsed = marketCommandSchema.safeParse(JSON.parse(msg.payload ?? ''));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`${issue?.path.join('.') || 'command'}: ${issue?.message ?? 'invalid'}`);
      }
      const cmd = parsed.data;
      const target = cmd.venue === MAIN_VENUE ? simulator : opts.venues?.(cmd.venue);
      if (cmd.venue !== MAIN_VENUE && !target)
        throw new Error(`venue ${cmd.venue} is not running on this worker`);
      if (!target) throw new Error('scenario events need the simulator as the price source');
      validateScenarioEvent(cmd.event, target.symbols);
      const ev = target.trigger(cmd.event);
      log(`scenario event ${ev.id} started on ${cmd.venue}: ${JSON.stringify(cmd.event)}`);
    } catch (e) {
      log(`market command rejected: ${(e as Error).message}`);
    }
  };

  const scheduleReconnect = (dead: pg.Client) => {
    if (stopped || current !== dead || timer) return;
    current = null;
    timer = setTimeout(() => {
      timer = null;
      connect().then(
        () => log('market command channel reconnected'),
        (e: Error) => {
          log(`market command channel reconnect failed: ${e.message}`);
          retry = Math.min(retry * 2, 10_000);
          current = dead;
          scheduleReconnect(dead);
        },
      );
    }, retry);
  };

  async function connect(): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl });
    client.on('notification', onCommand);
    client.on('error', (e) => {
      log(`market command channel lost: ${e.message}`);
      scheduleReconnect(client);
    });
    client.on('end', () => scheduleReconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${COMMAND_CHANNEL}`);
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
