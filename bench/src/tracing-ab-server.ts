/**
 * The process the tracing A/B (tracing-ab.ts) measures: a gateway in miniature — the platform's
 * Fastify defaults, `GET /direct` answering at once and `GET /grpc` calling GetProduct on a
 * constant gRPC server (ceiling-grpc.ts) through the platform's unaryCall. Started with or
 * without `--import @orderlab/platform/tracing/register`; prints `ready` once listening.
 */
import Fastify from 'fastify';
import { createOrderServiceClient } from '@orderlab/contracts';
import { createLogger } from '@orderlab/platform';
import { httpServerOptions, registerHttpDefaults } from '@orderlab/platform/http';
import { unaryCall } from '@orderlab/platform/grpc';

const logger = createLogger({ service: 'tracing-ab', level: 'warn' });
const app = Fastify(httpServerOptions({ logger }));
registerHttpDefaults(app);
const client = createOrderServiceClient(`127.0.0.1:${process.env.GRPC_PORT}`);
app.get('/direct', async () => ({ ok: true }));
app.get('/grpc', async () =>
  unaryCall(client.getProduct.bind(client), { id: 'x' }, { requestId: 'ab' }, { rpcMethod: 'orderlab.orders.v1.OrderService/GetProduct', deadlineMs: 5_000 }),
);
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('ready\n');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
