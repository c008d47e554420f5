-- Up Migration

-- The idempotent-consumer record: one row per event id (= AMQP messageId), inserted in the same
-- transaction as the notification, so a redelivered event finds its row and changes nothing.
CREATE TABLE processed_messages (
  message_id  uuid PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now()
);

-- For pruning by age once the dedupe window (outbox retry + dead-letter replay horizon) is known.
CREATE INDEX processed_messages_received_at_idx ON processed_messages (received_at);

CREATE TABLE notifications (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Insertion order for keyset pagination: newest first is seq DESC, one integer to compare.
  seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  message_id  uuid NOT NULL UNIQUE REFERENCES processed_messages (message_id),
  type        text NOT NULL CHECK (type IN ('order.created', 'order.fulfilled', 'order.failed', 'item.created')),
  order_id    uuid,
  customer_id text CHECK (char_length(customer_id) BETWEEN 1 AND 64),
  product_id  uuid,
  message     text NOT NULL CHECK (char_length(message) BETWEEN 1 AND 2000),
  request_id  text CHECK (char_length(request_id) BETWEEN 1 AND 128),
  redelivered boolean NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- Order events name an order and a customer; catalog events name a product.
  CHECK ((type LIKE 'order.%') = (order_id IS NOT NULL AND customer_id IS NOT NULL)),
  CHECK ((type = 'item.created') = (product_id IS NOT NULL))
);

-- GET /api/v1/notifications?orderId=… newest first.
CREATE INDEX notifications_order_seq_idx ON notifications (order_id, seq DESC) WHERE order_id IS NOT NULL;

-- Down Migration

DROP TABLE notifications;
DROP TABLE processed_messages;
