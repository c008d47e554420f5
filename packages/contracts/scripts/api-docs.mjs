// Writes docs/api/asyncapi.json from the compiled event contract (run `npx tsc -b` first).
// packages/contracts/test/asyncapi.test.ts fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { buildAsyncApiDocument } from '../dist/src/asyncapi.js';

const target = new URL('../../../docs/api/asyncapi.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(buildAsyncApiDocument(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
