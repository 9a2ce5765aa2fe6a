import type { Db } from '@lab/db';

export interface HealthReport {
  status: 'ok' | 'degraded';
  database: 'up' | 'down';
  databaseLatencyMs: number | null;
  migrations: number | null;
  time: string;
  error?: string;
}

export async function checkHealth(db: Db): Promise<HealthReport> {
  const started = performance.now();
  try {
    const rows = await db.$queryRaw<
      Array<{ n: bigint }>
    >`SELECT count(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL`;
    return {
      status: 'ok',
      database: 'up',
      databaseLatencyMs: Math.round((performance.now() - started) * 10) / 10,
      migrations: Number(rows[0]?.n ?? 0),
      time: new Date().toISOString(),
    };
  } catch (e) {
    return {
      status: 'degraded',
      database: 'down',
      databaseLatencyMs: null,
      migrations: null,
      time: new Date().toISOString(),
      error: (e as Error).message.split('\n')[0],
    };
  }
}
