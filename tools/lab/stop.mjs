// `npm run stop` (and `npm run reset`, which passes --reset): build when needed, then src/stop-command.ts.
import { bootstrap } from './bootstrap.mjs';

await bootstrap('stop-command', process.argv.slice(2));
