/** Operator commands: `node services/fulfillment/dist/src/cli.js migrate`. */
import { createLogger, loadConfig } from '@orderlab/platform';
import { Type } from 'typebox';
import { fulfillmentConfigSchema } from './config.js';
import { migrate } from './migrations.js';

const USAGE = 'usage: cli.js migrate';

// Only what the commands need, so a migration job does not require the worker's other settings.
const cliConfigSchema = Type.Object({
  LOG_LEVEL: fulfillmentConfigSchema.properties.LOG_LEVEL,
  DATABASE_URL: fulfillmentConfigSchema.properties.DATABASE_URL,
});

const command = process.argv[2];
if (command !== 'migrate') {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

const config = loadConfig(cliConfigSchema);
const logger = createLogger({ service: 'fulfillment', level: config.LOG_LEVEL });
try {
  await migrate(config.DATABASE_URL, logger);
} catch (err) {
  logger.fatal({ err }, 'migration failed');
  logger.flush();
  process.exitCode = 1;
}
