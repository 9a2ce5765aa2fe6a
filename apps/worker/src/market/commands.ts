// Market commands from the API (an instructor triggering a crash for the whole class), received on
// a LISTEN channel so that they reach the worker that owns the simulator.
import { validateScenarioEvent, type ScenarioEventSpec, type SimulatorSource } from '@lab/market-data';
import pg from 'pg';

export const COMMAND_CHANNEL = 'lab_market_commands';

export interface ScenarioCommand {
  type: 'scenario';
  event: ScenarioEventSpec;
}

export async function listenForCommands(
  databaseUrl: string,
  simulator: SimulatorSource | null,
  log: (msg: string) => void,
): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', (e) => log(`market command channel lost: ${e.message}`));
  client.on('notification', (msg) => {
    try {
      const cmd = JSON.parse(msg.payload ?? '') as ScenarioCommand;
      if (cmd.type !== 'scenario') throw new Error(`unknown command type ${String(cmd.type)}`);
      if (!simulator) throw new Error('scenario events need the simulator as the price source');
      validateScenarioEvent(cmd.event, simulator.symbols);
      const ev = simulator.trigger(cmd.event);
      log(`scenario event ${ev.id} started: ${JSON.stringify(cmd.event)}`);
    } catch (e) {
      log(`market command rejected: ${(e as Error).message}`);
    }
  });
  await client.connect();
  await client.query(`LISTEN ${COMMAND_CHANNEL}`);
  return () => client.end();
}
