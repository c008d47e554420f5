-- The pruner deletes shipments untouched for longer than SHIPMENTS_RETENTION_HOURS, oldest first,
-- in bounded batches; without this index every batch would scan the whole table.

-- Up Migration

CREATE INDEX shipments_updated_at_idx ON shipments (updated_at);

-- Down Migration

DROP INDEX shipments_updated_at_idx;
