/**
 * A fake of the edge for component tests: the shop's REST API as the traffic generator sees it
 * (catalog pages, products, idempotent order creation, orders, notifications), strict about
 * what it accepts, counting what it receives. Behaviours: answer, fail with 503 above a rate,
 * fail one route with 500, or hang. Like the real gateway it answers `traceresponse` (a fresh
 * trace per request), or a malformed one, or none.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTargetOptions {
  /** Answer 503 while more than this many requests arrived in the last second. */
  failAboveRate?: number;
  /** Never answer (until the server closes). */
  hang?: boolean;
  /** Answer after this many ms. */
  delayMs?: number;
  /** Answer 500 to every request of this route template (e.g. 'GET /api/v1/notifications'). */
  failRoute?: string;
  /** The traceresponse header: a valid one (the default), a malformed one, or none. */
  traceresponse?: 'valid' | 'malformed' | 'none';
}

export interface FakeTarget {
  url: string;
  /** Requests received, by route template. */
  received: Map<string, number>;
  /** Requests received in all. */
  total(): number;
  /** Responses by status. */
  statuses: Map<number, number>;
  /** Requests that did not follow the API's rules (the generator should send none). */
  invalid: string[];
  /** Orders answered with Idempotent-Replayed: true. */
  replays(): number;
  /** The route template of each trace id sent in a traceresponse (the last 10,000). */
  traces: Map<string, string>;
  options: FakeTargetOptions;
  close(): Promise<void>;
}

const PRODUCTS = Array.from({ length: 60 }, (_, i) => ({
  id: randomUUID(),
  sku: `SKU-${String(i).padStart(3, '0')}`,
  name: `Product ${i}`,
  description: '',
  priceCents: 100 + i,
  currency: 'EUR',
  createdAt: new Date(0).toISOString(),
}));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Starts the fake on 127.0.0.1:0. */
export async function startFakeTarget(options: FakeTargetOptions = {}): Promise<FakeTarget> {
  const received = new Map<string, number>();
  const statuses = new Map<number, number>();
  const invalid: string[] = [];
  const arrivals: number[] = [];
  const orders = new Map<string, object>();
  const keys = new Map<string, { body: string; order: { id: string } }>();
  const traces = new Map<string, string>();
  let total = 0;
  let replays = 0;

  function count(route: string): void {
    total += 1;
    received.set(route, (received.get(route) ?? 0) + 1);
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const type = status >= 400 ? 'application/problem+json' : 'application/json';
    const respond = () => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(JSON.stringify(body));
    };
    if (options.delayMs) setTimeout(respond, options.delayMs);
    else respond();
  }

  function bad(res: ServerResponse, why: string, status = 400): void {
    invalid.push(why);
    send(res, status, { status, detail: why });
  }

  function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const route =
      path === '/api/v1/products' ? 'GET /api/v1/products'
      : path.startsWith('/api/v1/products/') ? 'GET /api/v1/products/{id}'
      : path === '/api/v1/orders' ? `${req.method} /api/v1/orders`
      : path.startsWith('/api/v1/orders/') ? 'GET /api/v1/orders/{id}'
      : path === '/api/v1/notifications' ? 'GET /api/v1/notifications'
      : `${req.method} ${path}`;
    count(route);
    const trace = options.traceresponse ?? 'valid';
    if (trace !== 'none') {
      const traceId = randomBytes(16).toString('hex');
      const spanId = randomBytes(8).toString('hex');
      // Malformed: upper-case hex, which the W3C format forbids.
      res.setHeader('traceresponse', trace === 'valid' ? `00-${traceId}-${spanId}-01` : `00-${traceId.toUpperCase()}-${spanId}-01`);
      if (trace === 'valid') {
        traces.set(traceId, route);
        if (traces.size > 10_000) traces.delete(traces.keys().next().value!);
      }
    }
    const now = Date.now();
    arrivals.push(now);
    while (arrivals.length > 0 && arrivals[0]! <= now - 1000) arrivals.shift();
    if (options.hang) return;
    if (options.failAboveRate !== undefined && arrivals.length > options.failAboveRate) {
      send(res, 503, { status: 503, detail: 'overloaded' }, { 'retry-after': '1' });
      return;
    }
    if (options.failRoute === route) {
      send(res, 500, { status: 500, detail: 'failing on purpose' });
      return;
    }
    const query = Object.fromEntries(url.searchParams);
    switch (route) {
      case 'GET /api/v1/products': {
        const limit = Number(query.limit ?? 20);
        const offset = query.cursor === undefined ? 0 : Number(Buffer.from(query.cursor, 'base64url').toString());
        if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !Number.isInteger(offset)) return bad(res, `bad products query ${url.search}`);
        if (Object.keys(query).some((k) => k !== 'limit' && k !== 'cursor')) return bad(res, `unknown products parameter ${url.search}`);
        const items = PRODUCTS.slice(offset, offset + limit);
        const next = offset + limit < PRODUCTS.length ? Buffer.from(String(offset + limit)).toString('base64url') : null;
        return send(res, 200, { items, nextCursor: next });
      }
      case 'GET /api/v1/products/{id}': {
        const product = PRODUCTS.find((p) => p.id === path.slice('/api/v1/products/'.length));
        return product ? send(res, 200, product) : bad(res, `unknown product ${path}`, 404);
      }
      case 'POST /api/v1/orders': {
        const key = req.headers['idempotency-key'];
        if (typeof key !== 'string' || key === '') return bad(res, 'order without Idempotency-Key');
        if (!String(req.headers['content-type']).startsWith('application/json')) return bad(res, 'order not sent as JSON', 415);
        const earlier = keys.get(key);
        if (earlier) {
          if (earlier.body !== body) return bad(res, `key ${key} reused with another body`, 422);
          replays += 1;
          return send(res, 201, earlier.order, { 'idempotent-replayed': 'true' });
        }
        const order = JSON.parse(body) as { customerId?: unknown; items?: { productId?: unknown; quantity?: unknown }[] };
        const ok =
          typeof order.customerId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(order.customerId) &&
          Array.isArray(order.items) && order.items.length >= 1 && order.items.length <= 50 &&
          order.items.every((i) => PRODUCTS.some((p) => p.id === i.productId) && Number.isInteger(i.quantity) && (i.quantity as number) >= 1 && (i.quantity as number) <= 100) &&
          new Set(order.items.map((i) => i.productId)).size === order.items.length &&
          Object.keys(order).every((k) => k === 'customerId' || k === 'items');
        if (!ok) return bad(res, `invalid order ${body}`, 422);
        const created = { id: randomUUID(), customerId: order.customerId, status: 'pending', items: order.items };
        orders.set(created.id, created);
        keys.set(key, { body, order: created });
        return send(res, 201, created, { location: `/api/v1/orders/${created.id}` });
      }
      case 'GET /api/v1/orders/{id}': {
        const order = orders.get(path.slice('/api/v1/orders/'.length));
        return order ? send(res, 200, order) : bad(res, `unknown order ${path}`, 404);
      }
      case 'GET /api/v1/notifications': {
        if (query.orderId !== undefined && !UUID.test(query.orderId)) return bad(res, `bad orderId ${query.orderId}`);
        if (Object.keys(query).some((k) => k !== 'orderId' && k !== 'limit')) return bad(res, `unknown notifications parameter ${url.search}`);
        return send(res, 200, { items: [], nextCursor: null });
      }
      default:
        return bad(res, `no route ${route}`, 404);
    }
  }

  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handle(req, res, body));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    total: () => total,
    statuses,
    invalid,
    replays: () => replays,
    traces,
    options,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
