-- The orders service's schema: catalog, orders, idempotency keys and the transactional outbox.
--
-- Notes on choices that differ from the obvious:
-- - Money is bigint cents plus an ISO 4217 code; an order has one currency (mixed carts are refused).
-- - order_items has (order_id, line) as its key so the same product cannot appear twice only by
--   application rule (validated before insert), and lines keep the order the client sent.
-- - orders.request_id is an addition: the reconciler copies it onto re-queued requests.
-- - idempotency_keys is keyed by (scope, key): scope is `order:<customerId>` or `product`, so keys
--   are per customer. The primary key is the final arbiter of a key's first use.
-- - outbox.seq gives a total delivery order; id is the message id consumers deduplicate on.
--   Rows for both destinations live in one table; the relays filter on destination so a backlog
--   of one never blocks the other.

-- Up Migration

CREATE TABLE products (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  sku         text NOT NULL UNIQUE,
  name        text NOT NULL,
  description text NOT NULL DEFAULT '',
  price_cents bigint NOT NULL CHECK (price_cents > 0),
  currency    char(3) NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- ListProducts pages by (name, id).
CREATE INDEX products_name_id_idx ON products (name, id);

CREATE TABLE orders (
  id                       uuid PRIMARY KEY,
  customer_id              text NOT NULL,
  status                   text NOT NULL CHECK (status IN ('pending', 'fulfilling', 'fulfilled', 'failed')),
  total_cents              bigint NOT NULL CHECK (total_cents >= 0),
  currency                 char(3) NOT NULL,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now(),
  fulfillment_requested_at timestamptz NOT NULL DEFAULT now(),
  fulfilled_at             timestamptz,
  failure_reason           text,
  -- The x-request-id of CreateOrder, so a re-queued fulfillment request still correlates.
  request_id               text
);

-- ListOrders: a customer's orders, newest first, keyset-paginated.
CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at DESC, id DESC);
-- The reconciler only ever looks at open orders, a small fraction of the table.
CREATE INDEX orders_open_status_idx ON orders (status, fulfillment_requested_at)
  WHERE status IN ('pending', 'fulfilling');

CREATE TABLE order_items (
  order_id         uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  line             integer NOT NULL CHECK (line >= 1),
  product_id       uuid NOT NULL REFERENCES products (id),
  quantity         integer NOT NULL CHECK (quantity BETWEEN 1 AND 100),
  unit_price_cents bigint NOT NULL CHECK (unit_price_cents > 0),
  PRIMARY KEY (order_id, line)
);

CREATE TABLE idempotency_keys (
  scope       text NOT NULL,
  key         text NOT NULL,
  fingerprint text NOT NULL,
  response    jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);

-- The reaper deletes expired keys in bounded batches.
CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);

CREATE TABLE outbox (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq             bigserial NOT NULL UNIQUE,
  destination     text NOT NULL CHECK (destination IN ('fulfillment', 'events')),
  type            text NOT NULL,
  aggregate_id    uuid NOT NULL,
  payload         jsonb NOT NULL,
  request_id      text,
  traceparent     text,
  idempotency_key text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text
);

-- What the relays claim: unsent rows of one destination in delivery order. Sent rows drop out
-- of the index, and destination leads so a backlog of events never slows the fulfillment relay.
CREATE INDEX outbox_unsent_idx ON outbox (destination, seq) WHERE sent_at IS NULL;
-- The reconciler asks "does this order already have an unsent fulfillment request?".
CREATE INDEX outbox_unsent_aggregate_idx ON outbox (aggregate_id) WHERE sent_at IS NULL;

-- Down Migration

DROP TABLE outbox;
DROP TABLE idempotency_keys;
DROP TABLE order_items;
DROP TABLE orders;
DROP TABLE products;
