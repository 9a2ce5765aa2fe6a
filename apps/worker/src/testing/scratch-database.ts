// A throw-away PostgreSQL for the worker's benchmark and crash test: the embedded server in a
// temporary folder, one migrated database, removed on stop. (Tests use @lab/db/testing instead.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, startEmbeddedPostgres, withDatabase } from '@lab/db/server';
import pg from 'pg';

export interface ScratchDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startScratchDatabase(name = 'lab_scratch'): Promise<ScratchDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-worker-pg-'));
  let server: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  for (let attempt = 1; !server; attempt++) {
    const port = 40000 + Math.floor(Math.random() * 20000);
    try {
      server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port });
    } catch (e) {
      // another server took the port: try another one
      if (attempt >= 5) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    }
  }
  try {
    const admin = new pg.Client({ connectionString: server.adminUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = withDatabase(server.adminUrl(), name);
    await migrate(url);
    return {
      url,
      async stop() {
        await server.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
