/** Where the service's SQL migrations live (runService and `cli.js migrate` apply them). */
import { fileURLToPath } from 'node:url';

/** services/fulfillment/migrations (this file runs from dist/src). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
