// What application code needs: the Prisma client and its types. Database tooling (embedded server,
// migration runner) is in '@lab/db/server', kept apart so the web bundle never includes it.
export { createDb, type Db } from './client.ts';
export * from './generated/prisma/client.ts';
