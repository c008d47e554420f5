/**
 * Ceiling: a bare grpc-js server answering GetProduct with a constant product, run as its own
 * process (like the orders service) so the bench client does not share its event loop.
 * Prints its port on stdout when listening.
 */
import * as grpc from '@grpc/grpc-js';
import { loadOrdersProto, type OrderServiceHandlers } from '@orderlab/contracts';

const product = {
  id: '0b7e8c2e-1f4f-4c39-9d53-1c8f6a1d2e10',
  sku: 'BENCH-1',
  name: 'Benchmark Beans 1 kg',
  description: 'A constant answer, to measure the gRPC hop alone.',
  priceCents: 1999,
  currency: 'USD',
  createdAt: '2026-01-01T00:00:00.000Z',
};

const proto = loadOrdersProto();
const server = new grpc.Server();
const unimplemented: grpc.handleUnaryCall<unknown, never> = (_call, callback) =>
  callback({ code: grpc.status.UNIMPLEMENTED, details: 'not in the ceiling server' });
const handlers: OrderServiceHandlers = {
  GetProduct: (_call, callback) => callback(null, product),
  ListProducts: unimplemented,
  CreateProduct: unimplemented,
  CreateOrder: unimplemented,
  GetOrder: unimplemented,
  ListOrders: unimplemented,
  CompleteFulfillment: unimplemented,
};
server.addService(proto.orderlab.orders.v1.OrderService.service, handlers);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`${port}\n`);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
