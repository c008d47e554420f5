import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildOpenApiDocument, OPENAPI_DOCUMENT_FILE } from '../src/openapi-document.js';

const committed = new URL(`../../../../${OPENAPI_DOCUMENT_FILE}`, import.meta.url);
const STALE = `${OPENAPI_DOCUMENT_FILE} is missing or out of date: run \`npm run api:docs\` and commit the result`;

describe(OPENAPI_DOCUMENT_FILE, () => {
  it('is the document the gateway serves at /api/v1/openapi.json', async () => {
    assert.ok(existsSync(committed), STALE);
    assert.deepEqual(JSON.parse(readFileSync(committed, 'utf8')), await buildOpenApiDocument(), STALE);
  });
});
