/**
 * The gateway's OpenAPI document exactly as GET /api/v1/openapi.json serves it, built in-process:
 * nothing listens and nothing connects (the orders client is lazy and is closed unused).
 * `npm run api:docs` commits it as docs/api/gateway.openapi.json; a test fails when that is stale.
 */
import { createLogger } from '@orderlab/platform';
import { readServedDocument } from '@orderlab/platform/http';
import { buildGateway, OPENAPI_PATH } from './app.js';
import { parseGatewayConfig } from './config.js';

/** Where the committed copy lives, from the repository root. */
export const OPENAPI_DOCUMENT_FILE = 'docs/api/gateway.openapi.json';

/** The served document. Built from the defaults, not process.env: it names no server, so it is the same everywhere. */
export async function buildOpenApiDocument(): Promise<unknown> {
  const gateway = buildGateway(parseGatewayConfig({}), { logger: createLogger({ service: 'gateway', level: 'silent' }) });
  return readServedDocument(gateway.app, OPENAPI_PATH, () => gateway.stop());
}
