// GET /competitions/<id>/teaching/export/<kind>: the teaching CSVs for the hosts (the class
// report, every order with its trade note), through the same tRPC procedures and checks.
import { uuid } from '@lab/contracts';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { serverCaller } from '@/trpc/server';

export const dynamic = 'force-dynamic';

const KINDS = ['class-report', 'orders'] as const;
type Kind = (typeof KINDS)[number];

const problem = (status: number, message: string) =>
  new Response(`${message}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });

export async function GET(_req: Request, ctx: { params: Promise<{ id: string; kind: string }> }) {
  const { id: rawId, kind } = await ctx.params;
  const id = uuid('id').safeParse(rawId);
  if (!id.success) return problem(400, 'id must be a competition id');
  if (!KINDS.includes(kind as Kind)) return problem(404, `No export named ${kind}.`);
  const caller = await serverCaller();
  const input = { competitionId: id.data };
  try {
    const file =
      kind === 'class-report'
        ? await caller.teaching.exportClassReport(input)
        : await caller.teaching.exportOrders(input);
    return new Response(file.csv, {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${file.filename}"`,
        'cache-control': 'no-store',
        'x-rows': String(file.rows),
      },
    });
  } catch (e) {
    if (e instanceof TRPCError) return problem(getHTTPStatusCodeFromError(e), e.message);
    throw e;
  }
}
