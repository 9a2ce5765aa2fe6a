import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file so that every process agrees on it. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const migrationsDir = path.join(repoRoot, 'prisma', 'migrations');
export const schemaPath = path.join(repoRoot, 'prisma', 'schema.prisma');
/** Ignored by git: embedded PostgreSQL data, generated secrets. */
export const dataDir = path.join(repoRoot, '.data');
