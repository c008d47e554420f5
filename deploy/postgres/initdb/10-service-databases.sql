-- OrderLab in Docker Compose: one database and one role per service (docs/architecture.md).
-- The postgres image runs this once, as the superuser, when its data volume is empty (the
-- native lab does the same with tools/lab/src/databases.ts ensureServiceDatabase): a login role
-- with the service's name and password, owning a database of the same name. Owning the database
-- means owning its public schema (Postgres 15+), so the service's migrations can create tables
-- there, and other services' roles cannot change them. Lab passwords; production would take
-- them from a secret store. The entrypoint stops at the first error (psql ON_ERROR_STOP).
-- To run this again: docker compose down -v (deletes every volume).
CREATE ROLE orders WITH LOGIN PASSWORD 'orders';
CREATE DATABASE orders OWNER orders;

CREATE ROLE fulfillment WITH LOGIN PASSWORD 'fulfillment';
CREATE DATABASE fulfillment OWNER fulfillment;

CREATE ROLE notifications WITH LOGIN PASSWORD 'notifications';
CREATE DATABASE notifications OWNER notifications;
