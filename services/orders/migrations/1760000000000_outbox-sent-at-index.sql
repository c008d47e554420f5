-- The outbox pruner deletes rows sent longer ago than OUTBOX_RETENTION_HOURS, oldest first, in
-- bounded batches; without this index every batch would scan the whole table.

-- Up Migration

CREATE INDEX outbox_sent_at_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL;

-- Down Migration

DROP INDEX outbox_sent_at_idx;
