/**
 * The work for one fulfillment request: simulated pick, pack and ship recorded in the
 * shipments table, then CompleteFulfillment to orders. Safe to run again for the same order.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@orderlab/platform';
import type { FulfillmentRequest } from './fulfillment-request.js';
import type { OrdersClient } from './orders-client.js';
import { newTrackingNumber, remainingSteps } from './shipment.js';
import type { ShipmentRepository } from './shipment-repository.js';

/** What became of a request: done now, done earlier, or being done by another delivery right now. */
export type FulfillResult = 'fulfilled' | 'already-reported' | 'busy';

/** Simulated duration of each warehouse step; 0 skips the wait. */
export interface StepDelays {
  pick: number;
  pack: number;
  ship: number;
}

export interface OrderFulfillerOptions {
  repository: ShipmentRepository;
  ordersClient: OrdersClient;
  delays: StepDelays;
  /** How long one delivery may hold an order before another may take it over. */
  leaseMs: number;
}

/** Fulfills orders and reports failures; see fulfill() and reportFailure(). */
export interface OrderFulfiller {
  /** Runs the remaining steps for request's order; throws when a step or the report fails. */
  fulfill(request: FulfillmentRequest, log: Logger): Promise<FulfillResult>;
  /** Best effort: tells orders the order failed. Never throws. */
  reportFailure(request: FulfillmentRequest, reason: string, log: Logger): Promise<void>;
}

/** Builds the fulfiller over its repository and the orders client. */
export function buildOrderFulfiller({ repository, ordersClient, delays, leaseMs }: OrderFulfillerOptions): OrderFulfiller {
  const context = (request: FulfillmentRequest) => ({
    requestId: request.requestId,
    ...(request.traceparent !== undefined ? { traceparent: request.traceparent } : {}),
  });

  return {
    async fulfill(request, log) {
      const { orderId } = request;
      const leaseToken = randomUUID();
      const begun = await repository.begin({ orderId, requestId: request.requestId, leaseToken, leaseMs });
      if (begun.kind === 'reported') {
        log.info({ shipment_id: begun.shipment.shipmentId }, 'order already shipped and reported; nothing to do');
        return 'already-reported';
      }
      if (begun.kind === 'busy') {
        log.info({ status: begun.shipment.status }, 'order is being fulfilled by another delivery; leaving this one for later');
        return 'busy';
      }

      let shipment = begun.shipment;
      log.debug({ status: shipment.status, attempts: shipment.attempts, resumed: !begun.created }, 'fulfilling order');
      try {
        for (const step of remainingSteps(shipment.status)) {
          if (step === 'report') {
            await ordersClient.completeFulfillment(
              {
                orderId,
                outcome: 'shipped',
                shipmentId: shipment.shipmentId,
                // Set by the ship step; the table's CHECK guarantees it for a shipped row.
                trackingNumber: shipment.trackingNumber ?? '',
              },
              context(request),
            );
            await repository.markReported(orderId);
          } else {
            if (delays[step] > 0) await sleep(delays[step]);
            const tracking = step === 'ship' ? newTrackingNumber() : undefined;
            shipment = await repository.advance(orderId, leaseToken, step, leaseMs, tracking);
          }
          log.debug({ step }, 'fulfillment step done');
        }
      } catch (err) {
        await repository.releaseLease(orderId, leaseToken).catch((releaseErr: unknown) => {
          log.warn({ err: releaseErr }, 'could not release the shipment lease; it expires by itself');
        });
        throw err;
      }
      log.info(
        { shipment_id: shipment.shipmentId, tracking_number: shipment.trackingNumber, attempts: shipment.attempts },
        'order shipped and reported',
      );
      return 'fulfilled';
    },

    async reportFailure(request, reason, log) {
      try {
        // A duplicate request can be dead-lettered after another delivery already shipped the
        // order; orders must not hear "failed" for an order that went out.
        const shipment = await repository.find(request.orderId);
        if (shipment?.status === 'reported') {
          log.warn({ shipment_id: shipment.shipmentId }, 'order was shipped and reported by another delivery; not reporting a failure');
          return;
        }
        await ordersClient.completeFulfillment({ orderId: request.orderId, outcome: 'failed', failureReason: reason }, context(request));
        log.info({ reason }, 'reported failed fulfillment to orders');
      } catch (err) {
        // The order stays as it is in orders; its reconciler re-queues orders stuck in
        // `fulfilling`, so a later request can still ship it or fail it.
        log.warn({ err }, 'could not report failed fulfillment to orders');
      }
    },
  };
}
