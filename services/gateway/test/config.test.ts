import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@orderlab/platform';
import { corsOrigins, parseGatewayConfig } from '../src/config.js';

describe('gateway configuration', () => {
  it('has the documented defaults', () => {
    const config = parseGatewayConfig({});
    assert.equal(config.PORT, 8081);
    assert.equal(config.ORDERS_GRPC_ADDR, '127.0.0.1:50051');
    assert.equal(config.GRPC_DEADLINE_MS, 2000);
    assert.equal(config.BODY_LIMIT_BYTES, 65536);
    assert.equal(config.REQUEST_TIMEOUT_MS, 10000);
    assert.equal(config.MAX_IN_FLIGHT, 128);
    assert.deepEqual(corsOrigins(config), []);
  });

  it('reads CORS_ORIGINS as a trimmed list of exact origins', () => {
    const config = parseGatewayConfig({ CORS_ORIGINS: ' https://shop.example:8443 ,http://localhost:5173,https://Admin.Example ' });
    assert.deepEqual(corsOrigins(config), ['https://shop.example:8443', 'http://localhost:5173', 'https://admin.example']);
  });

  it('refuses wildcard, null, paths and trailing slashes in CORS_ORIGINS', () => {
    for (const bad of ['*', 'null', 'https://shop.example/', 'https://shop.example/app', 'shop.example', 'https://*.example', 'https://a.example,,https://b.example']) {
      assert.throws(() => parseGatewayConfig({ CORS_ORIGINS: bad }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /CORS_ORIGINS/);
        return true;
      }, bad);
    }
  });

  it('names every bad variable in one message', () => {
    assert.throws(
      () => parseGatewayConfig({ PORT: 'eighty', GRPC_DEADLINE_MS: '0', MAX_IN_FLIGHT: '-1' }),
      (err: unknown) => err instanceof ConfigError && /PORT/.test(err.message) && /GRPC_DEADLINE_MS/.test(err.message) && /MAX_IN_FLIGHT/.test(err.message),
    );
  });
});
