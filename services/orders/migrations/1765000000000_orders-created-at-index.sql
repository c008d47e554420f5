-- The pruner deletes finished orders placed longer ago than ORDERS_RETENTION_HOURS, oldest first,
-- in bounded batches; without this index every batch would scan the whole table. (A plain CREATE
-- INDEX blocks writes while it builds: seconds on a lab's week of orders. In production, build it
-- CONCURRENTLY in a migration of its own, outside a transaction.)

-- Up Migration

CREATE INDEX orders_created_at_idx ON orders (created_at);

-- Down Migration

DROP INDEX orders_created_at_idx;
