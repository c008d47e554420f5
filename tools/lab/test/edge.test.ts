import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EDGE_TEMPLATE, findNginx, nginxArgs, renderEdgeTemplate, testEdgeConfig, writeEdgeConfig } from '../src/edge.js';
import { labServiceEnv } from '../src/lab-service-env.js';
import { REPO_ROOT } from '../src/paths.js';
import { freePorts } from '../src/ports.js';
import { waitFor } from './helpers.js';

/** What a fake upstream saw of one request. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  socket: number;
}

/** A stand-in for the gateway or notifications (the edge's boundary): records requests, answers JSON. */
async function fakeUpstream(name: string): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const sockets = new WeakMap<object, number>();
  let nextSocket = 0;
  const server = createServer((req, res) => {
    if (!sockets.has(req.socket)) sockets.set(req.socket, nextSocket++);
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, socket: sockets.get(req.socket)! });
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': String(req.headers['x-request-id'] ?? '') });
      res.end(JSON.stringify({ upstream: name }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, port, seen };
}

describe('the edge (deploy/nginx/templates/default.conf.template, real nginx)', () => {
  const nginx = findNginx();
  let dir: string;
  let child: ChildProcess;
  let edge: string;
  let status: string;
  let accessLog: string;
  let gateway: Awaited<ReturnType<typeof fakeUpstream>>;
  let notifications: Awaited<ReturnType<typeof fakeUpstream>>;
  let downPort: number;

  before(async () => {
    assert.ok(nginx, 'nginx is installed (npm test installs it: apt-get install -y nginx)');
    dir = mkdtempSync(join(tmpdir(), 'orderlab-edge-'));
    gateway = await fakeUpstream('gateway');
    notifications = await fakeUpstream('notifications');
    const [edgePort, statusPort, unused] = (await freePorts(3)) as [number, number, number];
    downPort = unused;
    accessLog = join(dir, 'access.log');
    const files = writeEdgeConfig(dir, {
      EDGE_LISTEN: `127.0.0.1:${edgePort}`,
      EDGE_STATUS_LISTEN: `127.0.0.1:${statusPort}`,
      GATEWAY_UPSTREAM: `127.0.0.1:${gateway.port}`,
      NOTIFICATIONS_UPSTREAM: `127.0.0.1:${notifications.port}`,
      EDGE_ACCESS_LOG: accessLog,
    });
    assert.equal(testEdgeConfig(nginx, files), undefined, 'nginx -t accepts the rendered configuration');
    child = spawn(nginx, nginxArgs(files), { stdio: ['ignore', 'ignore', 'pipe'] });
    edge = `http://127.0.0.1:${edgePort}`;
    status = `http://127.0.0.1:${statusPort}`;
    await waitFor(async () => (await fetch(`${edge}/healthz`).catch(() => undefined))?.ok, 10_000, 'nginx to answer');
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    for (const upstream of [gateway, notifications]) upstream?.server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is documented in docs/configuration.md with the variables and native values the runner uses', () => {
    const markdown = readFileSync(join(REPO_ROOT, 'docs', 'configuration.md'), 'utf8');
    const section = markdown.split(/^## /m).find((part) => part.startsWith('edge'));
    assert.ok(section, 'an "## edge" section');
    const rows = new Map([...section.matchAll(/^\| `([A-Z_]+)` \| `([^`]+)` \|/gm)].map((m) => [m[1]!, m[2]!]));
    const native = labServiceEnv('edge');
    assert.deepEqual([...rows.keys()].sort(), Object.keys(native).sort());
    const template = readFileSync(EDGE_TEMPLATE, 'utf8');
    for (const [name, value] of Object.entries(native)) {
      assert.ok(template.includes(`\${${name}}`), `the template uses ${name}`);
      if (name !== 'EDGE_ACCESS_LOG') assert.equal(rows.get(name), value, name);
    }
  });

  it('refuses to render when a variable has no value', () => {
    assert.throws(() => renderEdgeTemplate(readFileSync(EDGE_TEMPLATE, 'utf8'), { EDGE_LISTEN: '8080' } as never), /no value for \$\{/);
  });

  it('creates a request id when the client sent none, passes it upstream and returns it', async () => {
    const before = gateway.seen.length;
    const res = await fetch(`${edge}/api/v1/products?limit=2`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { upstream: 'gateway' });
    const id = res.headers.get('x-request-id');
    assert.match(id ?? '', /^[0-9a-f]{32}$/);
    const seen = gateway.seen.slice(before);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.url, '/api/v1/products?limit=2');
    assert.equal(seen[0]!.headers['x-request-id'], id);
  });

  it('keeps a sane client request id and replaces an insane one', async () => {
    const kept = await fetch(`${edge}/api/v1/products`, { headers: { 'x-request-id': 'client-id.1:abc' } });
    assert.equal(kept.headers.get('x-request-id'), 'client-id.1:abc');
    const replaced = await fetch(`${edge}/api/v1/products`, { headers: { 'x-request-id': 'has spaces and <html>' } });
    assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f]{32}$/);
    assert.equal(gateway.seen.at(-1)!.headers['x-request-id'], replaced.headers.get('x-request-id'));
  });

  it('forwards traceparent and tracestate untouched', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await fetch(`${edge}/api/v1/orders/123`, { headers: { traceparent, tracestate: 'lab=1' } });
    const seen = gateway.seen.at(-1)!;
    assert.equal(seen.headers.traceparent, traceparent);
    assert.equal(seen.headers.tracestate, 'lab=1');
  });

  it('routes notifications to notifications and the rest of /api/ and /docs to the gateway', async () => {
    const cases: [string, string][] = [
      ['/api/v1/notifications?orderId=1', 'notifications'],
      ['/api/v1/notifications/openapi.json', 'notifications'],
      ['/api/v1/notificationsx', 'gateway'],
      ['/api/v1/orders', 'gateway'],
      ['/api/v1/openapi.json', 'gateway'],
      ['/docs', 'gateway'],
      ['/docs/static/index.html', 'gateway'],
    ];
    for (const [path, upstream] of cases) {
      const res = await fetch(`${edge}${path}`);
      assert.deepEqual(await res.json(), { upstream }, path);
    }
  });

  it('keeps upstream connections alive instead of one per request', async () => {
    const before = gateway.seen.length;
    for (let i = 0; i < 20; i++) await (await fetch(`${edge}/api/v1/products`)).arrayBuffer();
    const sockets = new Set(gateway.seen.slice(before).map((s) => s.socket));
    assert.equal(sockets.size, 1, 'twenty sequential requests reuse one upstream connection');
  });

  it('answers everything that is not public with a 404 problem, never reaching a service', async () => {
    const before = gateway.seen.length + notifications.seen.length;
    for (const path of ['/', '/readyz', '/healthz/', '/metrics', '/stub_status', '/internal/x', '/apix', '/docsx']) {
      const res = await fetch(`${edge}${path}`);
      assert.equal(res.status, 404, path);
      assert.equal(res.headers.get('content-type'), 'application/problem+json', path);
      const problem = (await res.json()) as Record<string, unknown>;
      assert.equal(problem.code, 'NOT_FOUND', path);
      assert.equal(problem.status, 404);
      assert.equal(problem.request_id, res.headers.get('x-request-id'));
    }
    assert.equal(gateway.seen.length + notifications.seen.length, before);
  });

  it('rejects a body over the services\' 64 KiB limit with a 413 problem before any service sees it', async () => {
    const before = gateway.seen.length;
    // Just under the limit it passes through; 100 KB (over the services' BODY_LIMIT_BYTES) does not.
    const small = await fetch(`${edge}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(60 * 1024) }),
    });
    await small.arrayBuffer();
    assert.equal(gateway.seen.length, before + 1);
    const res = await fetch(`${edge}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(100_000) }),
    });
    assert.equal(res.status, 413);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    assert.equal(((await res.json()) as { code: string }).code, 'PAYLOAD_TOO_LARGE');
    assert.equal(gateway.seen.length, before + 1);
  });

  it('writes a JSON access log line per request with request id, route, status, upstream and times', async () => {
    const res = await fetch(`${edge}/api/v1/products/7`, { headers: { traceparent: '00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb-01' } });
    const id = res.headers.get('x-request-id');
    const line = (await waitFor(
      () => readFileSync(accessLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.request_id === id),
      5_000,
      'the access log line',
    ))!;
    assert.equal(line.method, 'GET');
    assert.equal(line.path, '/api/v1/products/7');
    assert.equal(line.status, 200);
    assert.equal(line.upstream, `127.0.0.1:${gateway.port}`);
    assert.equal(typeof line.request_time, 'number');
    // Connect, first header byte and whole response: where an upstream's time went.
    for (const field of ['upstream_connect_time', 'upstream_header_time', 'upstream_response_time']) {
      assert.match(String(line[field]), /^\d+\.\d{3}$/, field);
    }
    assert.equal(line.traceparent, '00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb-01');
    assert.match(String(line.time), /^\d{4}-\d{2}-\d{2}T/);
  });

  it('serves stub_status on its internal listener only', async () => {
    const res = await fetch(`${status}/stub_status`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^Active connections: \d+/);
  });

  it('answers 503 problem+json with Retry-After when the upstream is down', async (t) => {
    // A second edge whose gateway upstream is a port nothing listens on.
    const downDir = mkdtempSync(join(tmpdir(), 'orderlab-edge-down-'));
    t.after(() => rmSync(downDir, { recursive: true, force: true }));
    const [port, statusPort] = (await freePorts(3)).filter((p) => p !== downPort) as [number, number];
    const files = writeEdgeConfig(downDir, {
      EDGE_LISTEN: `127.0.0.1:${port}`,
      EDGE_STATUS_LISTEN: `127.0.0.1:${statusPort}`,
      GATEWAY_UPSTREAM: `127.0.0.1:${downPort}`,
      NOTIFICATIONS_UPSTREAM: `127.0.0.1:${downPort}`,
      EDGE_ACCESS_LOG: join(downDir, 'access.log'),
    });
    const down = spawn(nginx!, nginxArgs(files), { stdio: 'ignore' });
    t.after(async () => {
      const exited = new Promise((resolve) => down.once('exit', resolve));
      down.kill('SIGTERM');
      await exited;
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok, 10_000, 'the second nginx');
    for (const path of ['/api/v1/orders', '/api/v1/notifications']) {
      const res = await fetch(`${url}${path}`);
      assert.equal(res.status, 503, path);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      const problem = (await res.json()) as Record<string, unknown>;
      assert.equal(problem.code, 'DEPENDENCY_UNAVAILABLE');
      assert.equal(problem.status, 503);
      assert.equal(problem.instance, path);
    }
  });
});
