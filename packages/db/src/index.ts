// What application code needs: the Prisma client and its types. Database tooling (embedded server,
// migration runner) is in '@lab/db/server', kept apart so the web bundle never includes it.
export { createDb, queryRows, transactorOf, type Db } from './client.ts';
export {
  pgTransactor,
  TransactionTimeout,
  type PgTransactorOptions,
  type Transactor,
} from './pg-transactor.ts';
export { PLANNED_EACH_CALL, statementName, statementNamer } from './statement-names.ts';
export * from './generated/prisma/client.ts';
