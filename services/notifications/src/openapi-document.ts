/**
 * The notifications OpenAPI document exactly as GET /api/v1/notifications/openapi.json serves
 * it, built in-process: nothing listens and nothing connects (the Postgres pool is lazy, the
 * broker is only dialled by start()). `npm run api:docs` commits it as
 * docs/api/notifications.openapi.json; a test fails when that is stale.
 */
import { createLogger } from '@orderlab/platform';
import { readServedDocument } from '@orderlab/platform/http';
import { parseNotificationsConfig } from './config.js';
import { buildNotificationsService, OPENAPI_PATH } from './notifications-service.js';

/** Where the committed copy lives, from the repository root. */
export const OPENAPI_DOCUMENT_FILE = 'docs/api/notifications.openapi.json';

/** The served document. Built from the defaults, not process.env: it names no server, so it is the same everywhere. */
export async function buildOpenApiDocument(): Promise<unknown> {
  const service = buildNotificationsService(parseNotificationsConfig({}), {
    logger: createLogger({ service: 'notifications', level: 'silent' }),
  });
  return readServedDocument(service.app, OPENAPI_PATH, () => service.stop());
}
