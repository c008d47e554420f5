/** Shipments in the worker's own database: one row per order, advanced step by step under a lease. */
import type pg from 'pg';
import { isShipmentStatus, transitionOf, type FulfillmentStep, type ShipmentStatus } from './shipment.js';

/** One order's shipment as stored. */
export interface Shipment {
  orderId: string;
  shipmentId: string;
  status: ShipmentStatus;
  trackingNumber: string | null;
  /** Deliveries that worked on this shipment (1 for the first). */
  attempts: number;
  requestId: string | null;
  createdAt: Date;
  shippedAt: Date | null;
  reportedAt: Date | null;
}

/** The outcome of starting work on an order. */
export type BeginResult =
  /** This delivery holds the lease and may do the remaining steps. */
  | { kind: 'acquired'; shipment: Shipment; created: boolean }
  /** Everything is done already: shipped and reported to orders. */
  | { kind: 'reported'; shipment: Shipment }
  /** Another delivery of the same order holds an unexpired lease and is working on it. */
  | { kind: 'busy'; shipment: Shipment };

/** Thrown when this delivery's lease expired and another delivery took the order over. */
export class LeaseLostError extends Error {
  constructor(orderId: string) {
    super(`lease on order ${orderId} was taken over by another delivery`);
    this.name = 'LeaseLostError';
  }
}

export interface BeginInput {
  orderId: string;
  requestId: string;
  /** Unique per delivery, so two deliveries of one order never both hold the lease. */
  leaseToken: string;
  leaseMs: number;
}

/** Shipment persistence. */
export interface ShipmentRepository {
  /** Creates the shipment (or resumes it) and takes the lease, unless it is done or leased. */
  begin(input: BeginInput): Promise<BeginResult>;
  /** Moves the shipment through a warehouse step and renews the lease; throws LeaseLostError if it is no longer ours. */
  advance(orderId: string, leaseToken: string, step: Exclude<FulfillmentStep, 'report'>, leaseMs: number, trackingNumber?: string): Promise<Shipment>;
  /** Records that orders accepted the outcome (idempotent) and drops the lease. */
  markReported(orderId: string): Promise<void>;
  /** Gives the lease up after a failed attempt so the next delivery need not wait for it to expire. */
  releaseLease(orderId: string, leaseToken: string): Promise<void>;
  find(orderId: string): Promise<Shipment | null>;
}

interface ShipmentRow {
  order_id: string;
  shipment_id: string;
  status: string;
  tracking_number: string | null;
  attempts: number;
  request_id: string | null;
  created_at: Date;
  shipped_at: Date | null;
  reported_at: Date | null;
}

function toShipment(row: ShipmentRow): Shipment {
  if (!isShipmentStatus(row.status)) throw new Error(`unknown shipment status ${row.status}`);
  return {
    orderId: row.order_id,
    shipmentId: row.shipment_id,
    status: row.status,
    trackingNumber: row.tracking_number,
    attempts: row.attempts,
    requestId: row.request_id,
    createdAt: row.created_at,
    shippedAt: row.shipped_at,
    reportedAt: row.reported_at,
  };
}

// The conflict branch only takes the row over when it is unfinished and nobody holds a live
// lease; otherwise RETURNING yields nothing and begin() looks at the row to say why.
const BEGIN_SQL = `
  INSERT INTO shipments (order_id, request_id, lease_token, lease_expires_at)
  VALUES ($1, $2, $3, now() + $4::int * interval '1 millisecond')
  ON CONFLICT (order_id) DO UPDATE
     SET attempts = shipments.attempts + 1,
         lease_token = EXCLUDED.lease_token,
         lease_expires_at = EXCLUDED.lease_expires_at,
         updated_at = now()
   WHERE shipments.status <> 'reported'
     AND (shipments.lease_expires_at IS NULL OR shipments.lease_expires_at <= now())
  RETURNING *, (xmax = 0) AS created`;

const ADVANCE_SQL = `
  UPDATE shipments
     SET status = $4,
         tracking_number = COALESCE($5, tracking_number),
         shipped_at = CASE WHEN $4 = 'shipped' THEN now() ELSE shipped_at END,
         lease_expires_at = now() + $6::int * interval '1 millisecond',
         updated_at = now()
   WHERE order_id = $1 AND lease_token = $2 AND status = $3
  RETURNING *`;

/** The Postgres ShipmentRepository. */
export function createShipmentRepository(pool: pg.Pool): ShipmentRepository {
  const find = async (orderId: string) => {
    const { rows } = await pool.query<ShipmentRow>('SELECT * FROM shipments WHERE order_id = $1', [orderId]);
    return rows[0] ? toShipment(rows[0]) : null;
  };

  return {
    find,
    async begin({ orderId, requestId, leaseToken, leaseMs }) {
      const { rows } = await pool.query<ShipmentRow & { created: boolean }>(BEGIN_SQL, [orderId, requestId, leaseToken, leaseMs]);
      if (rows[0]) return { kind: 'acquired', shipment: toShipment(rows[0]), created: rows[0].created };
      const existing = await find(orderId);
      if (existing === null) throw new Error(`shipment for order ${orderId} vanished`);
      return { kind: existing.status === 'reported' ? 'reported' : 'busy', shipment: existing };
    },
    async advance(orderId, leaseToken, step, leaseMs, trackingNumber) {
      const { from, to } = transitionOf(step);
      const { rows } = await pool.query<ShipmentRow>(ADVANCE_SQL, [orderId, leaseToken, from, to, trackingNumber ?? null, leaseMs]);
      if (!rows[0]) throw new LeaseLostError(orderId);
      return toShipment(rows[0]);
    },
    async markReported(orderId) {
      await pool.query(
        `UPDATE shipments
            SET status = 'reported', reported_at = now(), updated_at = now(), lease_token = NULL, lease_expires_at = NULL
          WHERE order_id = $1 AND status = 'shipped'`,
        [orderId],
      );
    },
    async releaseLease(orderId, leaseToken) {
      await pool.query(
        'UPDATE shipments SET lease_token = NULL, lease_expires_at = NULL WHERE order_id = $1 AND lease_token = $2',
        [orderId, leaseToken],
      );
    },
  };
}
