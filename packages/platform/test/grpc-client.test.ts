import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata, status } from '@grpc/grpc-js';
import { callContextFromMetadata, callMetadata, type CallContext } from '../src/call-context.js';
import { grpcError, isServiceError } from '../src/grpc.js';
import { unaryCall } from '../src/grpc-client.js';
import { startEcho } from './fixtures/grpc-echo.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('call context', () => {
  it('reaches the server as metadata and is read back as it was sent', async (t) => {
    const seen: CallContext[] = [];
    const echo = await startEcho(t, (call, callback) => {
      seen.push(callContextFromMetadata(call.metadata));
      callback(null, call.request);
    });
    const context = { requestId: 'req-1', traceparent: TRACEPARENT, idempotencyKey: 'key-1' };
    const answer = await unaryCall(echo, { text: 'hi' }, context, { rpcMethod: 'test.Echo/Echo', deadlineMs: 2_000 });
    assert.deepEqual(answer, { text: 'hi' });
    assert.deepEqual(seen, [context]);
  });

  it('drops a malformed traceparent and replaces an unsafe request id on the server side', () => {
    const metadata = callMetadata({ requestId: 'a b', traceparent: 'not-a-traceparent' });
    const context = callContextFromMetadata(metadata);
    assert.match(context.requestId, /^[0-9a-f]{32}$/);
    assert.equal(context.traceparent, undefined);
    assert.equal(context.idempotencyKey, undefined);
    assert.deepEqual(callContextFromMetadata(new Metadata()).traceparent, undefined);
  });
});

describe('unaryCall', () => {
  it('retries UNAVAILABLE up to its attempts, recording and reporting each retry', async (t) => {
    let calls = 0;
    const echo = await startEcho(t, (call, callback) => {
      calls += 1;
      if (calls === 1) callback(grpcError(status.UNAVAILABLE, 'OVERLOADED', 'busy'));
      else callback(null, call.request);
    });
    const recorded: [string, number][] = [];
    const retries: number[] = [];
    const answer = await unaryCall(echo, { text: 'again' }, { requestId: 'req-2' }, {
      rpcMethod: 'test.Echo/Echo',
      deadlineMs: 2_000,
      attempts: 2,
      recordCall: (method, code) => recorded.push([method, code]),
      onRetry: (err, attempt) => retries.push(attempt, err.code),
    });
    assert.deepEqual(answer, { text: 'again' });
    assert.deepEqual(recorded, [['test.Echo/Echo', status.UNAVAILABLE], ['test.Echo/Echo', status.OK]]);
    assert.deepEqual(retries, [1, status.UNAVAILABLE]);
  });

  it('makes one attempt by default and never retries a status other than UNAVAILABLE', async (t) => {
    let calls = 0;
    const echo = await startEcho(t, (_call, callback) => {
      calls += 1;
      callback(grpcError(calls === 1 ? status.UNAVAILABLE : status.NOT_FOUND, 'GONE', 'no such thing'));
    });
    const once = unaryCall(echo, { text: 'x' }, { requestId: 'req-3' }, { rpcMethod: 'test.Echo/Echo', deadlineMs: 2_000 });
    await assert.rejects(once, (err) => isServiceError(err) && err.code === status.UNAVAILABLE);
    const notRetried = unaryCall(echo, { text: 'x' }, undefined, { rpcMethod: 'test.Echo/Echo', deadlineMs: 2_000, attempts: 3 });
    await assert.rejects(notRetried, (err) => isServiceError(err) && err.code === status.NOT_FOUND);
    assert.equal(calls, 2);
  });

  it('rejects with DEADLINE_EXCEEDED when the server does not answer within deadlineMs', async (t) => {
    const echo = await startEcho(t, () => {});
    const call = unaryCall(echo, { text: 'slow' }, { requestId: 'req-4' }, { rpcMethod: 'test.Echo/Echo', deadlineMs: 100, attempts: 2 });
    await assert.rejects(call, (err) => isServiceError(err) && err.code === status.DEADLINE_EXCEEDED);
  });
});
