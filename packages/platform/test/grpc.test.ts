import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata, status } from '@grpc/grpc-js';
import { errorCodeOf, grpcError, requestIdFromMetadata } from '../src/grpc.js';

describe('grpc helpers', () => {
  it('carries a stable error code in trailing metadata', () => {
    const err = grpcError(status.NOT_FOUND, 'ORDER_NOT_FOUND', 'order 1 does not exist');
    assert.equal(err.code, status.NOT_FOUND);
    assert.equal(err.details, 'order 1 does not exist');
    assert.equal(errorCodeOf(err), 'ORDER_NOT_FOUND');
    assert.equal(errorCodeOf(new Error('plain')), undefined);
  });

  it('keeps a sane x-request-id from metadata and replaces an unsafe one', () => {
    const sane = new Metadata();
    sane.set('x-request-id', 'req-1');
    assert.equal(requestIdFromMetadata(sane), 'req-1');
    const unsafe = new Metadata();
    unsafe.set('x-request-id', 'a b');
    assert.match(requestIdFromMetadata(unsafe), /^[0-9a-f]{32}$/);
    assert.match(requestIdFromMetadata(new Metadata()), /^[0-9a-f]{32}$/);
  });
});
