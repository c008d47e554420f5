-- The pruner deletes notifications older than NOTIFICATIONS_RETENTION_HOURS, oldest first, in
-- bounded batches; without this index every batch would scan the whole table.

-- Up Migration

CREATE INDEX notifications_created_at_idx ON notifications (created_at);

-- Down Migration

DROP INDEX notifications_created_at_idx;
