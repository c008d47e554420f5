/** Starts the gateway (runService: logger, signals, start, fatal on failure). */
import { runService } from '@orderlab/platform';
import { buildGateway } from './app.js';
import { loadGatewayConfig } from './config.js';

// stop() stops HTTP and lets in-flight requests finish, then closes the orders gRPC channel.
await runService({ name: 'gateway', config: loadGatewayConfig(), build: buildGateway });
