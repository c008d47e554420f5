// Loaded with `node --import` (via NODE_OPTIONS, which refuses --cpu-prof): starts V8's CPU
// profiler at start-up and writes the profile to $ORDERLAB_CPU_PROFILE when the process exits.
// Used by BENCH_METRICS_PROFILE_DIR (bench/src/metrics-cost.ts); open the file in Chrome
// DevTools (Performance) or any .cpuprofile viewer.
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const target = process.env.ORDERLAB_CPU_PROFILE;
if (target) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  // In-thread inspector sessions answer synchronously, so this completes inside 'exit'.
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, JSON.stringify(result.profile));
    });
  });
}
