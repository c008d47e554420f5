/** Readiness of the gateway = the orders service answers its standard gRPC health check. */
import { credentials, makeGenericClientConstructor, status as GrpcStatus, type Client } from '@grpc/grpc-js';
import { ORDER_SERVICE_NAME } from '@orderlab/contracts';
import { type ReadinessCheck } from '@orderlab/platform/http';
import { isServiceError, unaryCall, type UnaryMethod } from '@orderlab/platform/grpc';
import { service as healthService } from 'grpc-health-check';

interface HealthClient extends Client {
  check: UnaryMethod<{ service: string }, { status: string }>;
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
  const check = health.check.bind(health);

  return {
    name: 'orders',
    async check() {
      let response: { status: string };
      try {
        // A probe, not traffic: no call context and no call metrics.
        response = await unaryCall(check, { service: ORDER_SERVICE_NAME }, undefined, { rpcMethod: 'grpc.health.v1.Health/Check', deadlineMs: timeoutMs });
      } catch (err) {
        // A server without the health service still proved it is reachable.
        if (isServiceError(err) && err.code === GrpcStatus.UNIMPLEMENTED) return;
        throw isServiceError(err) ? new Error(`orders health check failed: ${GrpcStatus[err.code]} ${err.details}`) : err;
      }
      if (response.status !== 'SERVING') throw new Error(`orders is ${response.status}`);
    },
  };
}
