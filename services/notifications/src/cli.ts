/** Operator commands: `node services/notifications/dist/src/cli.js migrate`. */
import { createLogger, loadConfig } from '@orderlab/platform';
import Type from 'typebox';
import { notificationsConfigSchema } from './config.js';
import { migrate } from './migrations.js';

const USAGE = 'usage: cli.js migrate';

// Only what the commands need, so a migration job does not require the service's other settings.
const cliConfigSchema = Type.Object({
  LOG_LEVEL: notificationsConfigSchema.properties.LOG_LEVEL,
  DATABASE_URL: notificationsConfigSchema.properties.DATABASE_URL,
});

const command = process.argv[2];
if (command !== 'migrate') {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

const config = loadConfig(cliConfigSchema);
const logger = createLogger({ service: 'notifications', level: config.LOG_LEVEL });
try {
  await migrate(config.DATABASE_URL, logger);
} catch (err) {
  logger.fatal({ err }, 'migration failed');
  logger.flush();
  process.exitCode = 1;
}
