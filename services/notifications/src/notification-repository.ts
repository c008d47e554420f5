/** Notifications and processed message ids in the service's own database. */
import { keysetPage, type KeysetPage } from '@orderlab/platform';
import type pg from 'pg';
import type { NotificationContent } from './notification-text.js';

/** A notification to record for one event. */
export interface NewNotification extends NotificationContent {
  /** The event id (= AMQP messageId): the deduplication key. */
  messageId: string;
  requestId: string | null;
  /** The broker's redelivered flag of the delivery that stored it. */
  redelivered: boolean;
}

/** A stored notification. */
export interface Notification extends NotificationContent {
  id: string;
  /** Insertion sequence (a bigint, as text): the keyset of pagination. */
  seq: string;
  messageId: string;
  requestId: string | null;
  redelivered: boolean;
  createdAt: Date;
}

/** Whether store() wrote the notification or found the message already processed. */
export type StoreResult = 'stored' | 'duplicate';

export interface ListQuery {
  orderId?: string | undefined;
  limit: number;
  /** Only notifications older than this sequence number (the cursor's). */
  beforeSeq?: bigint | undefined;
}

/** Persistence of notifications. */
export interface NotificationRepository {
  /**
   * Records the message id and its notification in ONE statement (so one transaction): a
   * message id seen before writes nothing and answers 'duplicate'. A concurrent delivery of the
   * same id waits for the first one's transaction and then finds it.
   */
  store(notification: NewNotification): Promise<StoreResult>;
  /** Newest first; `nextAfter` is the last one when another page follows. */
  list(query: ListQuery): Promise<KeysetPage<Notification>>;
}

interface NotificationRow {
  id: string;
  seq: string;
  message_id: string;
  type: Notification['type'];
  order_id: string | null;
  customer_id: string | null;
  product_id: string | null;
  message: string;
  request_id: string | null;
  redelivered: boolean;
  created_at: Date;
}

const COLUMNS = 'id, seq, message_id, type, order_id, customer_id, product_id, message, request_id, redelivered, created_at';

// The notification is inserted only from the row the first statement claimed, so a duplicate
// message id inserts nothing at all.
const STORE_SQL = `
  WITH claimed AS (
    INSERT INTO processed_messages (message_id) VALUES ($1)
    ON CONFLICT (message_id) DO NOTHING
    RETURNING message_id
  )
  INSERT INTO notifications (message_id, type, order_id, customer_id, product_id, message, request_id, redelivered)
  SELECT message_id, $2, $3, $4, $5, $6, $7, $8 FROM claimed`;

function toNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    seq: row.seq,
    messageId: row.message_id,
    type: row.type,
    orderId: row.order_id,
    customerId: row.customer_id,
    productId: row.product_id,
    message: row.message,
    requestId: row.request_id,
    redelivered: row.redelivered,
    createdAt: row.created_at,
  };
}

/** The repository over a pool (each call takes its own connection). */
export function createNotificationRepository(pool: pg.Pool): NotificationRepository {
  return {
    async store(n) {
      const result = await pool.query(STORE_SQL, [
        n.messageId,
        n.type,
        n.orderId,
        n.customerId,
        n.productId,
        n.message,
        n.requestId,
        n.redelivered,
      ]);
      return result.rowCount === 1 ? 'stored' : 'duplicate';
    },

    async list({ orderId, limit, beforeSeq }) {
      const conditions: string[] = [];
      const params: unknown[] = [];
      if (orderId !== undefined) conditions.push(`order_id = $${params.push(orderId)}`);
      if (beforeSeq !== undefined) conditions.push(`seq < $${params.push(beforeSeq.toString())}`);
      const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
      // One row more than asked tells whether another page follows (keysetPage).
      const { rows } = await pool.query<NotificationRow>(
        `SELECT ${COLUMNS} FROM notifications ${where} ORDER BY seq DESC LIMIT $${params.push(limit + 1)}`,
        params,
      );
      return keysetPage(rows.map(toNotification), limit);
    },
  };
}
