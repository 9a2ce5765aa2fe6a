// Prisma CLI configuration (stock commands such as `npx prisma migrate deploy` work with internet
// access). Offline, the project applies migrations with its own runner: packages/db/src/migrate.ts.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/leverage_lab' },
});
