/** @orderlab/notifications — the notifications service as a library (main.ts runs it). */
export { notificationsConfigSchema, parseNotificationsConfig, type NotificationsConfig } from './config.js';
export {
  API_PREFIX,
  buildNotificationsService,
  CONNECTION_NAME,
  DOCS_PATH,
  OPENAPI_PATH,
  type NotificationsService,
  type NotificationsServiceDeps,
} from './notifications-service.js';
export { deadLetterQueueOf } from './event-topology.js';
export { MIGRATIONS_DIR } from './migrations.js';
