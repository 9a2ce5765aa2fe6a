import { checkHealth } from '@lab/services';
import { db } from '@/server/db';

export const dynamic = 'force-dynamic';

/** 200 when the database answers, 503 otherwise. Used by `npm start`'s checks and by monitors. */
export async function GET() {
  const report = await checkHealth(db());
  return Response.json(report, {
    status: report.database === 'up' ? 200 : 503,
    headers: { 'cache-control': 'no-store' },
  });
}
