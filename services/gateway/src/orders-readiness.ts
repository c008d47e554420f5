/** Readiness of the gateway = the orders service answers its standard gRPC health check. */
import { credentials, makeGenericClientConstructor, status as GrpcStatus, type Client, type ServiceError } from '@grpc/grpc-js';
import { ORDER_SERVICE_NAME } from '@orderlab/contracts';
import type { ReadinessCheck } from '@orderlab/platform';
import { service as healthService } from 'grpc-health-check';

interface HealthClient extends Client {
  check(
    request: { service: string },
    options: { deadline: number },
    callback: (err: ServiceError | null, response?: { status: string }) => void,
  ): void;
}

const HealthClientConstructor = makeGenericClientConstructor(healthService, 'Health');

/**
 * A check that passes when orders reports OrderService SERVING within timeoutMs. It shares the
 * orders client's channel (no second connection); closing that client closes this one too.
 */
export function ordersReadinessCheck(ordersClient: Client, { timeoutMs }: { timeoutMs: number }): ReadinessCheck {
  const health = new HealthClientConstructor('orders', credentials.createInsecure(), {
    channelOverride: ordersClient.getChannel(),
  }) as unknown as HealthClient;

  return {
    name: 'orders',
    check: () =>
      new Promise<void>((resolve, reject) => {
        health.check({ service: ORDER_SERVICE_NAME }, { deadline: Date.now() + timeoutMs }, (err, response) => {
          // A server without the health service still proved it is reachable.
          if (err?.code === GrpcStatus.UNIMPLEMENTED) resolve();
          else if (err) reject(new Error(`orders health check failed: ${GrpcStatus[err.code]} ${err.details}`));
          else if (response?.status !== 'SERVING') reject(new Error(`orders is ${response?.status ?? 'silent'}`));
          else resolve();
        });
      }),
  };
}
