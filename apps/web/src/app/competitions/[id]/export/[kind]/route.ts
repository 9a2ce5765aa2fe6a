// GET /competitions/<id>/export/<kind>: a CSV download through the same tRPC procedures (and the
// same checks) as everything else: standings and trades for the hosts, my-trades and my-equity
// for a participant.
import { csvExportRoute } from '@/server/csv-export';

export const dynamic = 'force-dynamic';

export const GET = csvExportRoute({
  standings: (caller, input) => caller.competition.exportStandings(input),
  trades: (caller, input) => caller.competition.exportTrades(input),
  'my-trades': (caller, input) => caller.competition.exportMyTrades(input),
  'my-equity': (caller, input) => caller.competition.exportMyEquity(input),
});
