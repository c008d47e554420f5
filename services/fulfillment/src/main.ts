/** Entry point of the fulfillment worker (runService: logger, signals, migrations, start). */
import { loadConfig, runService } from '@orderlab/platform';
import { fulfillmentConfigSchema } from './config.js';
import { buildFulfillmentWorker } from './fulfillment-worker.js';
import { MIGRATIONS_DIR } from './migrations.js';

// stop() stops reading, lets in-flight requests finish and ack, then closes Redis, Postgres and gRPC.
await runService({ name: 'fulfillment', config: loadConfig(fulfillmentConfigSchema), migrationsDir: MIGRATIONS_DIR, build: buildFulfillmentWorker });
