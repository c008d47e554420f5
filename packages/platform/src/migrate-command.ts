/** The `cli.js migrate` one-shot command every service with a database offers (native runner, Compose job). */
import Type, { type TSchema } from 'typebox';
import { commonConfig, loadConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { runMigrations } from './postgres.js';

/** A one-shot command besides `migrate` (orders: `seed`); it gets the same two settings. */
export type DatabaseCommand = (context: { databaseUrl: string; logger: Logger }) => Promise<void>;

export interface MigrateCommandOptions {
  service: string;
  /** The service's DATABASE_URL schema (with its default). */
  databaseUrl: TSchema;
  /** The service's migrations folder. */
  dir: string;
  /** Further commands by name, offered next to `migrate`. */
  commands?: Record<string, DatabaseCommand>;
  argv?: string[];
}

/**
 * Runs `migrate` (or one of `commands`): reads just LOG_LEVEL and DATABASE_URL, so a migration
 * job needs none of the service's other settings; usage errors exit 2, failures set exit code 1.
 */
export async function runMigrateCommand({ service, databaseUrl, dir, commands = {}, argv = process.argv.slice(2) }: MigrateCommandOptions): Promise<void> {
  const all = new Map<string, DatabaseCommand>([
    ['migrate', async ({ databaseUrl: url, logger }) => void (await runMigrations({ databaseUrl: url, dir, logger }))],
    ...Object.entries(commands),
  ]);
  const [name = ''] = argv;
  const command = all.get(name);
  if (command === undefined || argv.length > 1) {
    process.stderr.write(`usage: cli.js ${[...all.keys()].join('|')}\n`);
    process.exit(2);
  }
  const config = loadConfig(Type.Object({ LOG_LEVEL: commonConfig.LOG_LEVEL, DATABASE_URL: databaseUrl }));
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  try {
    await command({ databaseUrl: config.DATABASE_URL as string, logger });
  } catch (err) {
    logger.fatal({ err, command: name }, `${name} failed`);
    process.exitCode = 1;
  } finally {
    logger.flush();
  }
}
