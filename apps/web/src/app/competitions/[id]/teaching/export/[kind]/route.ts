// GET /competitions/<id>/teaching/export/<kind>: the teaching CSVs for the hosts (the class
// report, every order with its trade note), through the same tRPC procedures and checks.
import { csvExportRoute } from '@/server/csv-export';

export const dynamic = 'force-dynamic';

export const GET = csvExportRoute({
  'class-report': (caller, input) => caller.teaching.exportClassReport(input),
  orders: (caller, input) => caller.teaching.exportOrders(input),
});
