/**
 * A fake orders service: a real grpc-js server on 127.0.0.1:0 implementing OrderService with a
 * small in-memory catalog and order book (with idempotency keys, like the real one), and the
 * standard health service. Tests replace single methods with on() to script failures and delays.
 */
import { randomUUID } from 'node:crypto';
import { Server, ServerCredentials, status as GrpcStatus, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import {
  loadOrdersProto,
  ORDER_SERVICE_NAME,
  type CreateOrderRequest__Output,
  type CreateOrderResponse,
  type CreateProductRequest__Output,
  type CreateProductResponse,
  type GetOrderRequest__Output,
  type GetProductRequest__Output,
  type ListOrdersRequest__Output,
  type ListOrdersResponse,
  type ListProductsRequest__Output,
  type ListProductsResponse,
  type Order,
  type OrderServiceHandlers,
  type Product,
  type Product__Output,
} from '@orderlab/contracts';
import { grpcError } from '@orderlab/platform/grpc';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';

/** The methods the gateway calls, with their request and response types. */
interface Rpcs {
  ListProducts: [ListProductsRequest__Output, ListProductsResponse];
  GetProduct: [GetProductRequest__Output, Product];
  CreateProduct: [CreateProductRequest__Output, CreateProductResponse];
  CreateOrder: [CreateOrderRequest__Output, CreateOrderResponse];
  GetOrder: [GetOrderRequest__Output, Order];
  ListOrders: [ListOrdersRequest__Output, ListOrdersResponse];
}
export type Rpc = keyof Rpcs;

/** What a method does; throw grpcError(...) to fail, return a never-settling promise to hang. */
export type Behaviour<K extends Rpc> = (
  request: Rpcs[K][0],
  call: ServerUnaryCall<Rpcs[K][0], Rpcs[K][1]>,
) => Promise<Rpcs[K][1]> | Rpcs[K][1];

/** One call as the fake received it. */
export interface ReceivedCall {
  rpc: Rpc;
  request: unknown;
  /** String metadata, lower-case keys. */
  metadata: Record<string, string>;
}

export interface FakeOrders {
  /** host:port for ORDERS_GRPC_ADDR. */
  address: string;
  calls: ReceivedCall[];
  callsTo(rpc: Rpc): ReceivedCall[];
  /** Replaces one method's behaviour for the rest of the test. */
  on<K extends Rpc>(rpc: K, behaviour: Behaviour<K>): void;
  setHealth(status: ServingStatus): void;
  /** Stops answering at once (as a crashed orders would). */
  stop(): void;
}

/** The catalog every fake starts with. */
export const PRODUCTS: readonly Product__Output[] = [
  {
    id: '0b6f3a52-6c1e-4c53-9d0e-2f1b7c3a9e01',
    sku: 'TEA-EARL-GREY',
    name: 'Earl Grey tea, 100 g',
    description: 'Loose leaf black tea with bergamot',
    priceCents: 650,
    currency: 'EUR',
    createdAt: '2026-11-01T09:00:00.000Z',
  },
  {
    id: '5d2c9e7a-1b4f-4e8a-8c3d-7a6b5c4d3e02',
    sku: 'COF-ESPRESSO-1KG',
    name: 'Espresso beans, 1 kg',
    description: '',
    priceCents: 2490,
    currency: 'EUR',
    createdAt: '2026-11-02T09:00:00.000Z',
  },
];

/** A UUID that names no product and no order. */
export const UNKNOWN_ID = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';

/** A promise the test resolves when it chooses: the fake "holds" a call until then. */
export function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Resolves when the client gives up on call (deadline or cancellation); the answer is never read. */
export function untilCancelled<T>(call: ServerUnaryCall<unknown, T>, answer: T): Promise<T> {
  return new Promise((resolve) => call.once('cancelled', () => resolve(answer)));
}

/** Starts a fake orders server on 127.0.0.1 and an ephemeral port. */
export async function startFakeOrders(): Promise<FakeOrders> {
  const calls: ReceivedCall[] = [];
  const products = new Map<string, Product__Output>(PRODUCTS.map((p) => [p.id, { ...p }]));
  const orders = new Map<string, Order>();
  const idempotency = new Map<string, { request: string; response: unknown }>();

  /** Stores the first response per key and replays it; a different request with the key fails. */
  function idempotent<T extends { replayed?: boolean }>(scope: string, call: ServerUnaryCall<unknown, T>, produce: () => T): T {
    const key = call.metadata.get('idempotency-key')[0];
    if (typeof key !== 'string' || key === '') {
      throw grpcError(GrpcStatus.INVALID_ARGUMENT, 'IDEMPOTENCY_KEY_REQUIRED', 'idempotency-key metadata is required');
    }
    const request = JSON.stringify(call.request);
    const stored = idempotency.get(`${scope}:${key}`);
    if (stored !== undefined) {
      if (stored.request !== request) {
        throw grpcError(GrpcStatus.ALREADY_EXISTS, 'IDEMPOTENCY_KEY_MISMATCH', 'this Idempotency-Key was used with a different request');
      }
      return { ...(stored.response as T), replayed: true };
    }
    const response = produce();
    idempotency.set(`${scope}:${key}`, { request, response });
    return response;
  }

  const behaviours: { [K in Rpc]: Behaviour<K> } = {
    ListProducts: () => ({ products: [...products.values()], nextPageToken: '' }),
    GetProduct: ({ id }) => {
      const product = products.get(id);
      if (product === undefined) throw grpcError(GrpcStatus.NOT_FOUND, 'PRODUCT_NOT_FOUND', `product ${id} does not exist`);
      return product;
    },
    CreateProduct: (request, call) =>
      idempotent('product', call, () => {
        if ([...products.values()].some((p) => p.sku === request.sku)) {
          throw grpcError(GrpcStatus.ALREADY_EXISTS, 'PRODUCT_SKU_EXISTS', `a product with SKU ${request.sku} exists`);
        }
        const product = { ...request, id: randomUUID(), createdAt: new Date().toISOString() };
        products.set(product.id, product);
        return { product, replayed: false };
      }),
    CreateOrder: (request, call) =>
      idempotent(`order:${request.customerId}`, call, () => {
        const items = request.items.map(({ productId, quantity }) => {
          const product = products.get(productId);
          if (product === undefined) {
            throw grpcError(GrpcStatus.FAILED_PRECONDITION, 'PRODUCT_NOT_FOUND', `product ${productId} does not exist`);
          }
          return { productId, quantity, unitPriceCents: product.priceCents };
        });
        const now = new Date().toISOString();
        const id = randomUUID();
        const order: Order = {
          id,
          customerId: request.customerId,
          status: 'ORDER_STATUS_PENDING',
          items,
          totalCents: items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0),
          currency: 'EUR',
          createdAt: now,
          updatedAt: now,
        };
        orders.set(id, order);
        return { order, replayed: false };
      }),
    GetOrder: ({ id }) => {
      const order = orders.get(id);
      if (order === undefined) throw grpcError(GrpcStatus.NOT_FOUND, 'ORDER_NOT_FOUND', `order ${id} does not exist`);
      return order;
    },
    ListOrders: ({ customerId }) => ({
      orders: [...orders.values()].filter((o) => o.customerId === customerId).reverse(),
      nextPageToken: '',
    }),
  };

  function handler<K extends Rpc>(rpc: K) {
    return (call: ServerUnaryCall<Rpcs[K][0], Rpcs[K][1]>, callback: sendUnaryData<Rpcs[K][1]>) => {
      const metadata: Record<string, string> = {};
      for (const [key, value] of Object.entries(call.metadata.getMap())) metadata[key] = String(value);
      calls.push({ rpc, request: call.request, metadata });
      const behaviour = behaviours[rpc] as Behaviour<K>;
      Promise.resolve()
        .then(() => behaviour(call.request, call))
        .then(
          (response) => callback(null, response),
          (err: unknown) => callback(err as Parameters<sendUnaryData<unknown>>[0]),
        );
    };
  }

  const server = new Server();
  const implementation: Omit<OrderServiceHandlers, 'CompleteFulfillment'> = {
    ListProducts: handler('ListProducts'),
    GetProduct: handler('GetProduct'),
    CreateProduct: handler('CreateProduct'),
    CreateOrder: handler('CreateOrder'),
    GetOrder: handler('GetOrder'),
    ListOrders: handler('ListOrders'),
  };
  server.addService(loadOrdersProto().orderlab.orders.v1.OrderService.service, implementation);
  const health = new HealthImplementation({ [ORDER_SERVICE_NAME]: 'SERVING' });
  health.addToServer(server);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });

  return {
    address: `127.0.0.1:${port}`,
    calls,
    callsTo: (rpc) => calls.filter((c) => c.rpc === rpc),
    on(rpc, behaviour) {
      (behaviours as Record<Rpc, unknown>)[rpc] = behaviour;
    },
    setHealth: (status) => health.setStatus(ORDER_SERVICE_NAME, status),
    stop: () => server.forceShutdown(),
  };
}
