// `npm test [-- filters…]`: install and build when needed, then run every test (src/run-tests.ts).
import { bootstrap } from './bootstrap.mjs';

await bootstrap('run-tests', process.argv.slice(2));
