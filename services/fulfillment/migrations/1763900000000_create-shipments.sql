-- Up Migration

-- One row per order: the primary key is what makes redelivery of a fulfillment request
-- harmless. `status` records how far the work got, so a redelivered request resumes where
-- the previous attempt stopped instead of starting over.
CREATE TABLE shipments (
  order_id         uuid PRIMARY KEY,
  shipment_id      uuid NOT NULL DEFAULT gen_random_uuid(),
  status           text NOT NULL DEFAULT 'received'
                   CHECK (status IN ('received', 'picked', 'packed', 'shipped', 'reported')),
  tracking_number  text,
  attempts         integer NOT NULL DEFAULT 1 CHECK (attempts >= 1),
  request_id       text,
  -- A short lease held by the delivery doing the work, so two deliveries of the same order
  -- (duplicates in the stream, or a reclaim racing a slow worker) never work at once.
  lease_token      uuid,
  lease_expires_at timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  shipped_at       timestamptz,
  reported_at      timestamptz,
  CHECK ((status IN ('shipped', 'reported')) = (tracking_number IS NOT NULL AND shipped_at IS NOT NULL))
);

-- Unfinished shipments, for operators looking for stuck work.
CREATE INDEX shipments_unreported_idx ON shipments (updated_at) WHERE status <> 'reported';

-- Down Migration

DROP TABLE shipments;
