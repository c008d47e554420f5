/** Starts the real traffic service on 127.0.0.1:0 for a test, and stops it in t.after. */
import type { TestContext } from 'node:test';
import { captureLogs, type CapturedLogs } from '@orderlab/platform/testing';
import { parseTrafficConfig } from '../../src/config.js';
import type { ModeView, TrafficStatus } from '../../src/traffic-generator.js';
import { buildTrafficService, type TrafficService } from '../../src/traffic-service.js';

export interface TestTraffic {
  service: TrafficService;
  logs: CapturedLogs;
  /** http://127.0.0.1:<port> */
  url: string;
  status(): Promise<TrafficStatus>;
  /** GET /mode. */
  mode(): Promise<ModeView>;
  /** POST /mode/{mode} with an optional JSON body. */
  setMode(mode: string, body?: unknown): Promise<Response>;
}

/** Environment exactly as main.ts would read it; stop() runs in t.after. */
export async function startTraffic(t: Pick<TestContext, 'after'>, env: Record<string, string>): Promise<TestTraffic> {
  const config = parseTrafficConfig({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'debug', SHUTDOWN_TIMEOUT_MS: '3000', ...env });
  const logs = captureLogs('traffic');
  const service = buildTrafficService(config, { logger: logs.logger });
  t.after(() => service.stop());
  const { port } = await service.start();
  const url = `http://127.0.0.1:${port}`;
  return {
    service,
    logs,
    url,
    status: async () => (await (await fetch(`${url}/status`)).json()) as TrafficStatus,
    mode: async () => (await (await fetch(`${url}/mode`)).json()) as ModeView,
    setMode: (mode, body) =>
      fetch(`${url}/mode/${mode}`, {
        method: 'POST',
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      }),
  };
}
