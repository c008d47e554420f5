/** Entry point of the orders service: the only module with side effects (runService: logger, signals, migrations, start). */
import { loadConfig, runService } from '@orderlab/platform';
import { ordersConfigSchema } from './config.js';
import { MIGRATIONS_DIR } from './migrations.js';
import { buildOrdersService } from './orders-service.js';

// stop() turns NOT_SERVING, drains gRPC, stops the relays and background jobs, then closes RabbitMQ, Redis and Postgres.
await runService({ name: 'orders', config: loadConfig(ordersConfigSchema), migrationsDir: MIGRATIONS_DIR, build: buildOrdersService });
