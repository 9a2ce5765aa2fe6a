// A competition's CSV downloads as route handlers: each kind goes through its tRPC procedure (the
// same checks as everything else), the file is sent as an attachment, a refusal as plain text with
// the procedure's status.
import { uuid } from '@lab/contracts';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { serverCaller } from '@/trpc/server';

type Caller = Awaited<ReturnType<typeof serverCaller>>;
interface CsvFile {
  csv: string;
  filename: string;
  rows: number;
}
type Exports = Record<
  string,
  (caller: Caller, input: { competitionId: string }) => Promise<CsvFile>
>;

const problem = (status: number, message: string) =>
  new Response(`${message}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });

/** GET /competitions/<id>/.../export/<kind> for the kinds given. */
export function csvExportRoute(exports: Exports) {
  return async function GET(
    _req: Request,
    ctx: { params: Promise<{ id: string; kind: string }> },
  ): Promise<Response> {
    const { id: rawId, kind } = await ctx.params;
    const id = uuid('id').safeParse(rawId);
    if (!id.success) return problem(400, 'id must be a competition id');
    const exportOf = Object.hasOwn(exports, kind) ? exports[kind] : undefined;
    if (!exportOf) return problem(404, `No export named ${kind}.`);
    try {
      const file = await exportOf(await serverCaller(), { competitionId: id.data });
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
  };
}
