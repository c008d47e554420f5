/**
 * The gRPC spans the platform's call wrappers make (src/tracing/rpc.ts): a real grpc-js client
 * (unaryCall) and server, a real tracer provider with the async-local-storage context manager;
 * finished spans are kept in memory.
 */
import assert from 'node:assert/strict';
import { after, beforeEach, describe, it, type TestContext } from 'node:test';
import { status, type handleUnaryCall } from '@grpc/grpc-js';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOnSampler, InMemorySpanExporter, ParentBasedSampler, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { METADATA } from '@orderlab/contracts/headers';
import { grpcError, metadataValue } from '../src/grpc.js';
import { unaryCall, type UnaryMethod } from '../src/grpc-client.js';
import { ECHO_METHOD, startEcho, type Echo } from './fixtures/grpc-echo.js';
import type { ExemplarSpan } from '../src/metrics.js';
import { startRpcServerSpan } from '../src/tracing/rpc.js';
import { activeTraceparent } from '../src/tracing/trace-context.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({
  sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
  spanProcessors: [new SimpleSpanProcessor({ exporter })],
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(provider);
after(async () => {
  await provider.shutdown();
  context.disable();
});
beforeEach(() => exporter.reset());

const RPC_METHOD = ECHO_METHOD;

/**
 * A real server whose handler runs in the SERVER span the way orders' wrapper does it (from the
 * call's traceparent metadata) and answers `answer(text)`; what the handler saw as its active
 * traceparent is kept.
 */
async function startTracedEcho(t: TestContext, answer: (text: string) => Echo | number): Promise<{ echo: UnaryMethod<Echo, Echo>; seen: (string | undefined)[] }> {
  const seen: (string | undefined)[] = [];
  const handle: handleUnaryCall<Echo, Echo> = (call, callback) => {
    const span = startRpcServerSpan(RPC_METHOD, metadataValue(call.metadata, METADATA.traceparent));
    span.run(() => {
      seen.push(activeTraceparent());
      const result = answer(call.request.text);
      if (typeof result === 'number') {
        span.end(result, 'refused');
        callback(grpcError(result, 'TEST', 'refused'));
      } else {
        span.end(status.OK);
        callback(null, result);
      }
    });
  };
  return { echo: await startEcho(t, handle), seen };
}

async function spansOf(kind: SpanKind): Promise<ReadableSpan[]> {
  await provider.forceFlush();
  return exporter.getFinishedSpans().filter((s) => s.kind === kind);
}

describe('gRPC spans of the platform’s call wrappers', () => {
  it('a call is a CLIENT span under the caller’s and a SERVER span under it, named and attributed after the RPC conventions', async (t) => {
    const { echo, seen } = await startTracedEcho(t, (text) => ({ text }));
    const recorded: (ExemplarSpan | undefined)[] = [];
    const tracer = trace.getTracer('test');
    const parent = await tracer.startActiveSpan('caller', async (span) => {
      await unaryCall(echo, { text: 'hi' }, { requestId: 'r-1' }, {
        rpcMethod: RPC_METHOD,
        deadlineMs: 5_000,
        recordCall: (_method, _code, _started, exemplar) => recorded.push(exemplar),
      });
      span.end();
      return span.spanContext();
    });
    const [client] = await spansOf(SpanKind.CLIENT);
    const [server] = await spansOf(SpanKind.SERVER);
    assert.ok(client && server);
    assert.equal(client.name, RPC_METHOD);
    assert.equal(client.spanContext().traceId, parent.traceId);
    assert.equal(client.parentSpanContext?.spanId, parent.spanId, 'the client span is the caller’s child');
    assert.equal(server.parentSpanContext?.spanId, client.spanContext().spanId, 'the server span continues the client span, through the metadata');
    assert.equal(server.spanContext().traceId, parent.traceId);
    for (const span of [client, server]) {
      assert.deepEqual(
        [span.attributes['rpc.system'], span.attributes['rpc.service'], span.attributes['rpc.method'], span.attributes['rpc.grpc.status_code']],
        ['grpc', 'test.Echo', 'Echo', status.OK],
      );
      assert.equal(span.status.code, SpanStatusCode.UNSET);
    }
    assert.deepEqual(seen, [`00-${parent.traceId}-${server.spanContext().spanId}-01`], 'the handler runs in the server span');
    assert.equal(recorded[0]?.spanId, client.spanContext().spanId, 'the call’s duration keeps the client span as its exemplar');
  });

  it('a refusal is an error on the client, and on the server only when it is the server’s fault', async (t) => {
    const { echo } = await startTracedEcho(t, (text) => (text === 'missing' ? status.NOT_FOUND : status.INTERNAL));
    for (const text of ['missing', 'broken']) {
      await assert.rejects(unaryCall(echo, { text }, undefined, { rpcMethod: RPC_METHOD, deadlineMs: 5_000 }));
    }
    const clients = await spansOf(SpanKind.CLIENT);
    const servers = await spansOf(SpanKind.SERVER);
    assert.deepEqual(clients.map((s) => [s.attributes['rpc.grpc.status_code'], s.status.code]), [[status.NOT_FOUND, SpanStatusCode.ERROR], [status.INTERNAL, SpanStatusCode.ERROR]]);
    assert.deepEqual(servers.map((s) => [s.attributes['rpc.grpc.status_code'], s.status.code]), [[status.NOT_FOUND, SpanStatusCode.UNSET], [status.INTERNAL, SpanStatusCode.ERROR]]);
    assert.equal(clients[0]?.parentSpanContext, undefined, 'with no active span the call starts a trace');
  });
});
