/** The `cli.js migrate` one-shot command every service with a database offers (native runner, Compose job). */
import Type, { type TSchema } from 'typebox';
import { commonConfig, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { runMigrations } from './postgres.js';

export interface MigrateCommandOptions {
  service: string;
  /** The service's DATABASE_URL schema (with its default). */
  databaseUrl: TSchema;
  /** The service's migrations folder. */
  dir: string;
  argv?: string[];
}

/**
 * Runs `migrate` (the only command): reads just LOG_LEVEL and DATABASE_URL, so a migration job
 * needs none of the service's other settings; usage errors exit 2, failures set exit code 1.
 */
export async function runMigrateCommand({ service, databaseUrl, dir, argv = process.argv.slice(2) }: MigrateCommandOptions): Promise<void> {
  if (argv[0] !== 'migrate' || argv.length > 1) {
    process.stderr.write('usage: cli.js migrate\n');
    process.exit(2);
  }
  const config = loadConfig(Type.Object({ LOG_LEVEL: commonConfig.LOG_LEVEL, DATABASE_URL: databaseUrl }));
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  try {
    await runMigrations({ databaseUrl: config.DATABASE_URL as string, dir, logger });
  } catch (err) {
    logger.fatal({ err }, 'migration failed');
    process.exitCode = 1;
  } finally {
    logger.flush();
  }
}
