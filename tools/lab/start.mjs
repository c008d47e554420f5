// `npm start`: install and build when needed, then run the native lab (src/start-command.ts).
import { bootstrap } from './bootstrap.mjs';

await bootstrap('start-command', process.argv.slice(2));
