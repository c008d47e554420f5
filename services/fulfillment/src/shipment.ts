/** The shipment's life cycle as plain data: which steps remain from a given status. No I/O. */
import { randomBytes } from 'node:crypto';

/** How far the work on one order got. Each status is reached once, in this order. */
export const SHIPMENT_STATUSES = ['received', 'picked', 'packed', 'shipped', 'reported'] as const;

/** One of SHIPMENT_STATUSES. */
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

/** One unit of work: three simulated warehouse steps, then the report to orders. */
export type FulfillmentStep = 'pick' | 'pack' | 'ship' | 'report';

const STEPS: readonly { step: FulfillmentStep; from: ShipmentStatus; to: ShipmentStatus }[] = [
  { step: 'pick', from: 'received', to: 'picked' },
  { step: 'pack', from: 'picked', to: 'packed' },
  { step: 'ship', from: 'packed', to: 'shipped' },
  { step: 'report', from: 'shipped', to: 'reported' },
];

/** True for a value stored in `shipments.status`. */
export function isShipmentStatus(value: unknown): value is ShipmentStatus {
  return typeof value === 'string' && (SHIPMENT_STATUSES as readonly string[]).includes(value);
}

/** The steps still to do for a shipment in `status`, in order (none once reported). */
export function remainingSteps(status: ShipmentStatus): FulfillmentStep[] {
  const start = STEPS.findIndex((s) => s.from === status);
  return start === -1 ? [] : STEPS.slice(start).map((s) => s.step);
}

/** The status a step moves the shipment from, and to. */
export function transitionOf(step: FulfillmentStep): { from: ShipmentStatus; to: ShipmentStatus } {
  const found = STEPS.find((s) => s.step === step);
  if (found === undefined) throw new Error(`unknown fulfillment step ${step}`);
  return { from: found.from, to: found.to };
}

/** A carrier-style tracking number, e.g. `OL9F3A0C1B7E2D`. */
export function newTrackingNumber(): string {
  return `OL${randomBytes(6).toString('hex').toUpperCase()}`;
}
