/** Where the service's SQL migrations live, and how to apply them. */
import { fileURLToPath } from 'node:url';
import { runMigrations, type Logger } from '@orderlab/platform';

/** services/notifications/migrations (this file runs from dist/src). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Applies pending migrations to databaseUrl; returns the names applied. */
export function migrate(databaseUrl: string, logger: Logger): Promise<string[]> {
  return runMigrations({ databaseUrl, dir: MIGRATIONS_DIR, logger });
}
