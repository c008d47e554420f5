import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { AppError } from '@orderlab/platform';
import { grpcError } from '@orderlab/platform/grpc';
import { grpcErrorToHttp, type OrdersRpc } from '../src/grpc-status-to-http.js';

interface Row {
  grpc: GrpcStatus;
  code?: string;
  rpc?: OrdersRpc;
  http: number;
  problemCode: string;
  retryAfter?: number;
}

const TABLE: Row[] = [
  { grpc: GrpcStatus.INVALID_ARGUMENT, code: 'VALIDATION_FAILED', http: 400, problemCode: 'VALIDATION_FAILED' },
  { grpc: GrpcStatus.INVALID_ARGUMENT, code: 'INVALID_CURSOR', http: 400, problemCode: 'INVALID_CURSOR' },
  { grpc: GrpcStatus.FAILED_PRECONDITION, code: 'CURRENCY_MISMATCH', http: 400, problemCode: 'CURRENCY_MISMATCH' },
  { grpc: GrpcStatus.OUT_OF_RANGE, http: 400, problemCode: 'VALIDATION_FAILED' },
  { grpc: GrpcStatus.NOT_FOUND, code: 'ORDER_NOT_FOUND', rpc: 'GetOrder', http: 404, problemCode: 'ORDER_NOT_FOUND' },
  { grpc: GrpcStatus.NOT_FOUND, code: 'PRODUCT_NOT_FOUND', rpc: 'GetProduct', http: 404, problemCode: 'PRODUCT_NOT_FOUND' },
  { grpc: GrpcStatus.NOT_FOUND, http: 404, problemCode: 'NOT_FOUND' },
  { grpc: GrpcStatus.ALREADY_EXISTS, http: 409, problemCode: 'CONFLICT' },
  { grpc: GrpcStatus.ABORTED, code: 'TRANSACTION_CONFLICT', http: 409, problemCode: 'TRANSACTION_CONFLICT' },
  { grpc: GrpcStatus.RESOURCE_EXHAUSTED, http: 429, problemCode: 'RATE_LIMITED', retryAfter: 1 },
  { grpc: GrpcStatus.CANCELLED, http: 499, problemCode: 'REQUEST_CANCELLED' },
  { grpc: GrpcStatus.UNIMPLEMENTED, http: 501, problemCode: 'NOT_IMPLEMENTED' },
  { grpc: GrpcStatus.UNAVAILABLE, http: 503, problemCode: 'DEPENDENCY_UNAVAILABLE', retryAfter: 1 },
  { grpc: GrpcStatus.UNAVAILABLE, code: 'DATABASE_UNAVAILABLE', http: 503, problemCode: 'DEPENDENCY_UNAVAILABLE', retryAfter: 1 },
  { grpc: GrpcStatus.DEADLINE_EXCEEDED, http: 504, problemCode: 'DEPENDENCY_TIMEOUT', retryAfter: 1 },
  { grpc: GrpcStatus.UNKNOWN, http: 500, problemCode: 'INTERNAL' },
  { grpc: GrpcStatus.INTERNAL, code: 'SOMETHING_INTERNAL', http: 500, problemCode: 'INTERNAL' },
  { grpc: GrpcStatus.DATA_LOSS, http: 500, problemCode: 'INTERNAL' },
  { grpc: GrpcStatus.PERMISSION_DENIED, http: 500, problemCode: 'INTERNAL' },
  { grpc: GrpcStatus.UNAUTHENTICATED, http: 500, problemCode: 'INTERNAL' },
  // Stable codes that override the status.
  { grpc: GrpcStatus.ALREADY_EXISTS, code: 'IDEMPOTENCY_KEY_MISMATCH', http: 422, problemCode: 'IDEMPOTENCY_KEY_MISMATCH' },
  { grpc: GrpcStatus.FAILED_PRECONDITION, code: 'IDEMPOTENCY_KEY_MISMATCH', http: 422, problemCode: 'IDEMPOTENCY_KEY_MISMATCH' },
  { grpc: GrpcStatus.ABORTED, code: 'IDEMPOTENCY_KEY_IN_USE', http: 409, problemCode: 'IDEMPOTENCY_KEY_IN_USE', retryAfter: 1 },
  { grpc: GrpcStatus.FAILED_PRECONDITION, code: 'PRODUCT_NOT_FOUND', rpc: 'CreateOrder', http: 422, problemCode: 'PRODUCT_NOT_FOUND' },
  { grpc: GrpcStatus.NOT_FOUND, code: 'PRODUCT_NOT_FOUND', rpc: 'CreateOrder', http: 422, problemCode: 'PRODUCT_NOT_FOUND' },
  { grpc: GrpcStatus.ALREADY_EXISTS, code: 'PRODUCT_SKU_EXISTS', rpc: 'CreateProduct', http: 409, problemCode: 'PRODUCT_SKU_EXISTS' },
];

function failure(row: Row, message: string) {
  return row.code === undefined
    ? Object.assign(new Error(message), { code: row.grpc, details: message, metadata: grpcError(row.grpc, 'X', '').metadata.clone() })
    : grpcError(row.grpc, row.code, message);
}

describe('gRPC status → HTTP problem', () => {
  for (const row of TABLE) {
    const label = `${GrpcStatus[row.grpc]}${row.code ? ` + ${row.code}` : ''}${row.rpc ? ` in ${row.rpc}` : ''}`;
    it(`maps ${label} to ${row.http} ${row.problemCode}`, () => {
      const err = failure(row, 'orders says: quantity must be at most 100');
      if (row.code === undefined) err.metadata.remove('orderlab-error-code');
      const mapped = grpcErrorToHttp(err, row.rpc ?? 'ListOrders');
      assert.ok(mapped instanceof AppError);
      assert.equal(mapped.status, row.http);
      assert.equal(mapped.code, row.problemCode);
      assert.equal(mapped.retryAfterSeconds, row.retryAfter);
    });
  }

  it("shows orders' message on a 4xx, since orders writes it for clients", () => {
    const mapped = grpcErrorToHttp(grpcError(GrpcStatus.INVALID_ARGUMENT, 'VALIDATION_FAILED', 'items[0].quantity must be 1..100'), 'CreateOrder');
    assert.ok(mapped instanceof AppError);
    assert.equal(mapped.message, 'items[0].quantity must be 1..100');
  });

  it('never shows gRPC details on a 5xx', () => {
    for (const grpc of [GrpcStatus.INTERNAL, GrpcStatus.UNKNOWN, GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED]) {
      const mapped = grpcErrorToHttp(grpcError(grpc, 'X', 'connect ECONNREFUSED 10.0.0.7:5432 password=hunter2'), 'GetOrder');
      assert.ok(mapped instanceof AppError);
      assert.doesNotMatch(mapped.message, /hunter2|10\.0\.0\.7|ECONNREFUSED/);
    }
  });

  it('leaves errors that are not gRPC failures alone (they become a generic 500)', () => {
    const bug = new TypeError('cannot read properties of undefined');
    assert.equal(grpcErrorToHttp(bug, 'GetOrder'), bug);
  });
});
