/**
 * The notifications service's configuration: every variable of docs/configuration.md
 * (§ notifications), validated once at start-up.
 */
import { commonConfig, parseConfig } from '@orderlab/platform';
import { corsOriginsConfig } from '@orderlab/platform/http';
import { pruneIntervalConfig } from '@orderlab/platform/postgres';
import Type, { type Static } from 'typebox';
import { NOTIFICATIONS_QUEUE } from '@orderlab/contracts/events';
import { DEFAULT_URLS, PORTS, serviceDatabaseUrl } from '@orderlab/contracts/topology';

/** The schema: validation, defaults and the `NotificationsConfig` type in one place. */
export const notificationsConfigSchema = Type.Object({
  ...commonConfig,
  PORT: Type.Integer({ default: PORTS.notifications, minimum: 0, maximum: 65_535 }),
  DATABASE_URL: Type.String({ default: serviceDatabaseUrl('notifications'), minLength: 1 }),
  DATABASE_POOL_MAX: Type.Integer({ default: 10, minimum: 1, maximum: 100 }),
  MIGRATE_ON_START: Type.Boolean({ default: true }),
  RABBITMQ_URL: Type.String({ default: DEFAULT_URLS.rabbitmq, pattern: '^amqps?://' }),
  NOTIFICATIONS_QUEUE: Type.String({ default: NOTIFICATIONS_QUEUE.name, pattern: '^[A-Za-z0-9._:-]{1,200}$' }),
  NOTIFICATIONS_PREFETCH: Type.Integer({ default: 50, minimum: 1, maximum: 1000 }),
  NOTIFICATIONS_DELIVERY_LIMIT: Type.Integer({ default: 5, minimum: 1, maximum: 100 }),
  NOTIFICATIONS_RETRY_DELAY_MS: Type.Integer({ default: 500, minimum: 0, maximum: 60_000 }),
  BODY_LIMIT_BYTES: Type.Integer({ default: 65_536, minimum: 1024, maximum: 10 * 1024 * 1024 }),
  REQUEST_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100, maximum: 300_000 }),
  CORS_ORIGINS: corsOriginsConfig,
  NOTIFICATIONS_RETENTION_HOURS: Type.Integer({ default: 24 * 7, minimum: 1, maximum: 24 * 3650 }),
  PROCESSED_MESSAGES_RETENTION_HOURS: Type.Integer({ default: 24, minimum: 1, maximum: 24 * 3650 }),
  PRUNE_INTERVAL_MS: pruneIntervalConfig,
});

/** The validated configuration of the notifications service. */
export type NotificationsConfig = Static<typeof notificationsConfigSchema>;

/** Parses env (tests pass a plain object); throws ConfigError naming every bad variable. */
export function parseNotificationsConfig(env: Record<string, string | undefined> = process.env): NotificationsConfig {
  return parseConfig(notificationsConfigSchema, env);
}
