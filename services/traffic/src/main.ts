/** Entry point of the traffic generator (runService: logger, signals, start). */
import { runService } from '@orderlab/platform';
import { loadTrafficConfig } from './config.js';
import { buildTrafficService } from './traffic-service.js';

// stop() stops scheduling, lets requests in flight finish (with a deadline), then closes the pool and HTTP.
await runService({ name: 'traffic', config: loadTrafficConfig(), build: buildTrafficService });
