/** Starts the real gateway for a test, wired to a fake orders server, and cleans up after it. */
import { createOrderServiceClient } from '@orderlab/contracts';
import { captureLogs, type CapturedLogs } from '@orderlab/platform/testing';
import { buildGateway, type Gateway } from '../../src/app.js';
import { parseGatewayConfig } from '../../src/config.js';

export interface TestGateway {
  gateway: Gateway;
  logs: CapturedLogs;
  /** http://127.0.0.1:<port>, set when started with listen: true. */
  url: string;
}

export interface TestGatewayOptions {
  /** host:port of the (fake) orders service. */
  ordersAddress: string;
  /** Extra environment, as strings, exactly as main.ts would read it. */
  env?: Record<string, string>;
  /** Also listen on 127.0.0.1:0 for tests that need real HTTP (default: app.inject only). */
  listen?: boolean;
}

/** Test defaults: a short deadline so failure paths are quick, everything else as documented. */
export const TEST_DEADLINE_MS = 1000;

/** Where cleanups go: a TestContext (t.after) or a suite's own list. */
export interface Cleanup {
  after(fn: () => unknown): void;
}

/** Builds (and optionally starts) a gateway; t.after stops it and closes its gRPC client. */
export async function startGateway(t: Cleanup, { ordersAddress, env = {}, listen = false }: TestGatewayOptions): Promise<TestGateway> {
  const config = parseGatewayConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'debug',
    ORDERS_GRPC_ADDR: ordersAddress,
    GRPC_DEADLINE_MS: String(TEST_DEADLINE_MS),
    ...env,
  });
  const logs = captureLogs('gateway');
  // As in main.ts: the caller owns the client and closes it after the HTTP server has drained.
  const ordersClient = createOrderServiceClient(config.ORDERS_GRPC_ADDR);
  const gateway = buildGateway(config, { logger: logs.logger, ordersClient });
  t.after(async () => {
    await gateway.stop();
    ordersClient.close();
  });
  let url = '';
  if (listen) url = `http://127.0.0.1:${await gateway.start()}`;
  else await gateway.app.ready();
  return { gateway, logs, url };
}
