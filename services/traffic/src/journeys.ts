/**
 * What each arrival asks the shop: one request of a weighted journey, made coherent by a small
 * bounded memory of what earlier responses said (product ids, placed orders). No I/O: the
 * planner builds requests and learns from responses; the generator sends them.
 */
import { isUuid } from '@orderlab/contracts/formats';
import { HTTP_HEADERS } from '@orderlab/contracts/headers';
import { randomUUID } from 'node:crypto';

/** The journeys JOURNEY_WEIGHTS can weigh. */
export const JOURNEYS = ['browse', 'view-product', 'place-order', 'poll-order', 'read-notifications'] as const;
/** A weighted journey. */
export type Journey = (typeof JOURNEYS)[number];
/** Every kind of request, including the retry of an order (a share of place-order, ORDER_RETRY_RATIO). */
export type RequestKind = Journey | 'retry-order';
/** Every request kind, in the order the status shows them. */
export const REQUEST_KINDS: readonly RequestKind[] = [...JOURNEYS.slice(0, 3), 'retry-order', ...JOURNEYS.slice(3)];

/** The route template of each kind: the only label counters use (never a raw id). */
export const ROUTES: Record<RequestKind, string> = {
  browse: 'GET /api/v1/products',
  'view-product': 'GET /api/v1/products/{id}',
  'place-order': 'POST /api/v1/orders',
  'retry-order': 'POST /api/v1/orders',
  'poll-order': 'GET /api/v1/orders/{id}',
  'read-notifications': 'GET /api/v1/notifications',
};

/** One request to send. */
export interface PlannedRequest {
  kind: RequestKind;
  method: 'GET' | 'POST';
  /** Path and query, relative to TARGET_URL. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Whether the planner wants the response body (to learn from it). */
  readBody: boolean;
}

/** What the planner learns from: the status, the body when it asked for it. */
export interface ObservedResponse {
  status: number;
  body?: string;
}

/** Journey weights, e.g. `browse=30,view-product=30`; journeys left out get weight 0. */
export type JourneyWeights = Record<Journey, number>;

/** Parses `name=weight,…`; throws with a readable message on unknown names, bad numbers or an all-zero sum. */
export function parseJourneyWeights(text: string): JourneyWeights {
  const weights = Object.fromEntries(JOURNEYS.map((j) => [j, 0])) as JourneyWeights;
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const match = /^([a-z-]+)\s*=\s*(\d+(?:\.\d+)?)$/.exec(part);
    if (!match) throw new Error(`must be name=weight pairs separated by commas (bad part ${JSON.stringify(part)})`);
    const [, name, weight] = match as unknown as [string, string, string];
    if (!(JOURNEYS as readonly string[]).includes(name)) throw new Error(`has an unknown journey ${JSON.stringify(name)} (known: ${JOURNEYS.join(', ')})`);
    weights[name as Journey] = Number(weight);
  }
  if (JOURNEYS.every((j) => weights[j] === 0)) throw new Error('must give at least one journey a weight above 0');
  return weights;
}

/** Bounds of the planner's memory. */
const MAX_PRODUCTS = 500;
const MAX_RECENT_ORDERS = 200;
const MAX_RETRYABLE = 100;
/** Customers the generated orders are spread over: traffic-001 … traffic-200. */
const CUSTOMERS = 200;
const PAGE_SIZES = [10, 20, 50];
/** Largest response body read to learn from; a bigger one is drained unread. */
export const MAX_LEARN_BYTES = 1024 * 1024;

interface SentOrder {
  key: string;
  body: string;
}

export interface JourneyPlannerOptions {
  weights: JourneyWeights;
  /** Share of place-order arrivals that re-send an earlier, completed order with its key and body. */
  retryRatio: number;
  /** Uniform in [0, 1); tests inject a seeded one. */
  random?: () => number;
  /** Idempotency keys; tests inject a deterministic one. */
  newKey?: () => string;
}

/** A bounded ring: keeps the last `max` items. */
class Ring<T> {
  readonly items: T[] = [];
  private next = 0;
  constructor(private readonly max: number) {}
  push(item: T): void {
    if (this.items.length < this.max) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.max;
  }
  get size(): number {
    return this.items.length;
  }
  pick(random: () => number): T | undefined {
    return this.items[Math.floor(random() * this.items.length)];
  }
  /** Removes and returns a random item. */
  take(random: () => number): T | undefined {
    if (this.items.length === 0) return undefined;
    const i = Math.floor(random() * this.items.length);
    const [item] = this.items.splice(i, 1);
    this.next = this.items.length % this.max;
    return item;
  }
}

/** Chooses each arrival's request and learns from the responses; memory is bounded. */
export class JourneyPlanner {
  private readonly cumulative: [Journey, number][] = [];
  private readonly total: number;
  private readonly random: () => number;
  private readonly newKey: () => string;
  private readonly products = new Ring<string>(MAX_PRODUCTS);
  private readonly knownProducts = new Set<string>();
  private readonly orders = new Ring<string>(MAX_RECENT_ORDERS);
  private readonly retryable = new Ring<SentOrder>(MAX_RETRYABLE);
  private nextCursor: string | null = null;

  constructor(private readonly options: JourneyPlannerOptions) {
    this.random = options.random ?? Math.random;
    this.newKey = options.newKey ?? randomUUID;
    let sum = 0;
    for (const journey of JOURNEYS) {
      const weight = options.weights[journey];
      if (weight <= 0) continue;
      sum += weight;
      this.cumulative.push([journey, sum]);
    }
    this.total = sum;
  }

  /** How much the planner remembers (for the status). */
  memory(): { products: number; orders: number; retryable: number } {
    return { products: this.products.size, orders: this.orders.size, retryable: this.retryable.size };
  }

  /** The journey drawn by weight (before falling back for lack of state). */
  draw(): Journey {
    const x = this.random() * this.total;
    for (const [journey, upTo] of this.cumulative) if (x < upTo) return journey;
    return this.cumulative.at(-1)![0];
  }

  /** The next request: a weighted journey, or the step it needs first (no products yet → browse). */
  next(): PlannedRequest {
    return this.plan(this.draw());
  }

  /** The request of `journey`, falling back to what it depends on when the memory lacks it. */
  plan(journey: Journey): PlannedRequest {
    switch (journey) {
      case 'browse':
        return this.browse();
      case 'view-product': {
        const id = this.products.pick(this.random);
        if (id === undefined) return this.browse();
        return get('view-product', `/api/v1/products/${id}`);
      }
      case 'place-order': {
        if (this.options.retryRatio > 0 && this.random() < this.options.retryRatio) {
          const sent = this.retryable.take(this.random);
          if (sent) return post('retry-order', '/api/v1/orders', sent);
        }
        if (this.products.size === 0) return this.browse();
        return post('place-order', '/api/v1/orders', { key: this.newKey(), body: JSON.stringify(this.orderBody()) });
      }
      case 'poll-order': {
        const id = this.orders.pick(this.random);
        if (id === undefined) return this.plan('place-order');
        return get('poll-order', `/api/v1/orders/${id}`);
      }
      case 'read-notifications': {
        const id = this.orders.pick(this.random);
        return get('read-notifications', id === undefined ? '/api/v1/notifications?limit=20' : `/api/v1/notifications?orderId=${id}`);
      }
    }
  }

  /** Remembers what a response tells: product ids and the next page, the placed order and its key. */
  learn(request: PlannedRequest, response: ObservedResponse): void {
    if (request.kind === 'browse') {
      if (response.status !== 200 || response.body === undefined) {
        this.nextCursor = null;
        return;
      }
      const page = parseJson(response.body) as { items?: { id?: unknown }[]; nextCursor?: unknown } | undefined;
      for (const item of page?.items ?? []) {
        if (isUuid(item.id) && !this.knownProducts.has(item.id)) {
          if (this.products.size === MAX_PRODUCTS) break;
          this.knownProducts.add(item.id);
          this.products.push(item.id);
        }
      }
      this.nextCursor = typeof page?.nextCursor === 'string' ? page.nextCursor : null;
    } else if (request.kind === 'place-order' && response.status === 201 && response.body !== undefined) {
      const order = parseJson(response.body) as { id?: unknown } | undefined;
      if (isUuid(order?.id)) this.orders.push(order.id);
      // Only a completed order is retried: a retry while the first is running would rightly get 409.
      this.retryable.push({ key: request.headers[HTTP_HEADERS.idempotencyKey]!, body: request.body! });
    }
  }

  private browse(): PlannedRequest {
    const limit = PAGE_SIZES[Math.floor(this.random() * PAGE_SIZES.length)]!;
    // Half the time the next page of the last one read, as a shopper scrolls; otherwise the first.
    const cursor = this.nextCursor !== null && this.random() < 0.5 ? `&cursor=${encodeURIComponent(this.nextCursor)}` : '';
    return { ...get('browse', `/api/v1/products?limit=${limit}${cursor}`), readBody: true };
  }

  private orderBody(): { customerId: string; items: { productId: string; quantity: number }[] } {
    const lines = Math.min(1 + Math.floor(this.random() * 3), this.products.size);
    const chosen = new Set<string>();
    for (let attempt = 0; chosen.size < lines && attempt < lines * 4; attempt++) chosen.add(this.products.pick(this.random)!);
    const customer = String(1 + Math.floor(this.random() * CUSTOMERS)).padStart(3, '0');
    return {
      customerId: `traffic-${customer}`,
      items: [...chosen].map((productId) => ({ productId, quantity: 1 + Math.floor(this.random() * 3) })),
    };
  }
}

const ACCEPT_JSON = { accept: 'application/json' };

function get(kind: RequestKind, path: string): PlannedRequest {
  return { kind, method: 'GET', path, headers: ACCEPT_JSON, readBody: false };
}

function post(kind: RequestKind, path: string, { key, body }: SentOrder): PlannedRequest {
  return {
    kind,
    method: 'POST',
    path,
    headers: { ...ACCEPT_JSON, 'content-type': 'application/json', [HTTP_HEADERS.idempotencyKey]: key },
    body,
    readBody: kind === 'place-order',
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
