// Writes docs/api/notifications.openapi.json, the document the notifications serves, from its compiled code (run
// `npx tsc -b` first); test/openapi-document.test.ts fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument, OPENAPI_DOCUMENT_FILE } from '../dist/src/openapi-document.js';

const target = new URL(`../../../${OPENAPI_DOCUMENT_FILE}`, import.meta.url);
writeFileSync(target, `${JSON.stringify(await buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
