import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@orderlab/platform';
import { parseCorsOrigins } from '@orderlab/platform/http';
import { parseNotificationsConfig } from '../src/config.js';

describe('notifications configuration', () => {
  it('has the documented defaults', () => {
    const config = parseNotificationsConfig({});
    assert.equal(config.PORT, 8084);
    assert.equal(config.DATABASE_URL, 'postgres://notifications:notifications@127.0.0.1:5432/notifications');
    assert.equal(config.DATABASE_POOL_MAX, 10);
    assert.equal(config.MIGRATE_ON_START, true);
    assert.equal(config.RABBITMQ_URL, 'amqp://guest:guest@127.0.0.1:5672');
    assert.equal(config.NOTIFICATIONS_QUEUE, 'notifications');
    assert.equal(config.NOTIFICATIONS_PREFETCH, 50);
    assert.equal(config.NOTIFICATIONS_DELIVERY_LIMIT, 5);
    assert.equal(config.NOTIFICATIONS_RETRY_DELAY_MS, 500);
    assert.equal(config.BODY_LIMIT_BYTES, 65536);
    assert.equal(config.REQUEST_TIMEOUT_MS, 10000);
    assert.deepEqual(parseCorsOrigins(config.CORS_ORIGINS), []);
  });

  it('validates CORS_ORIGINS like the gateway', () => {
    assert.deepEqual(parseCorsOrigins(parseNotificationsConfig({ CORS_ORIGINS: 'https://Shop.example:8443' }).CORS_ORIGINS), ['https://shop.example:8443']);
    assert.throws(() => parseNotificationsConfig({ CORS_ORIGINS: '*' }), /CORS_ORIGINS/);
  });

  it('names every bad variable in one message', () => {
    assert.throws(
      () => parseNotificationsConfig({ RABBITMQ_URL: 'http://broker', NOTIFICATIONS_PREFETCH: '0', NOTIFICATIONS_DELIVERY_LIMIT: 'many', NOTIFICATIONS_QUEUE: 'a b' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        ['RABBITMQ_URL', 'NOTIFICATIONS_PREFETCH', 'NOTIFICATIONS_DELIVERY_LIMIT', 'NOTIFICATIONS_QUEUE'].every((name) => err.message.includes(name)),
    );
  });
});
