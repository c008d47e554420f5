// `npm run gen:config [-- --check]`: build when needed, then src/gen-config-command.ts.
import { bootstrap } from './bootstrap.mjs';

await bootstrap('gen-config-command', process.argv.slice(2));
