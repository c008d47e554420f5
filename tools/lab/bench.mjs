// `npm run bench`: install and build when needed, then run the benchmark (src/bench-command.ts).
import { bootstrap } from './bootstrap.mjs';

await bootstrap('bench-command', process.argv.slice(2));
