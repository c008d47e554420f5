// micro: CPU per span, SDK create/end + batch + export to a local sink that discards
import { createServer } from 'node:http';
import { trace, context, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BatchSpanProcessor, TracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
const mode = process.argv[2] ?? 'proto';
const sink = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, {'content-type': req.headers['content-type']}); res.end(); }); });
await new Promise((r) => sink.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${sink.address().port}/v1/traces`;
let exporter;
if (mode === 'proto') { const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto'); exporter = new OTLPTraceExporter({ url }); }
else if (mode === 'json') { const { OTLPTraceExporter } = await import('/tmp/jsonexp/node_modules/@opentelemetry/exporter-trace-otlp-http/dist/index.cjs'); exporter = new OTLPTraceExporter({ url }); }
else exporter = { export(spans, cb) { cb({ code: 0 }); }, shutdown: async () => {}, forceFlush: async () => {} };
const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'x' }), sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(1) }),
  spanProcessors: [new BatchSpanProcessor({ exporter, maxQueueSize: 8192, maxExportBatchSize: 512, scheduledDelayMillis: 1000 })] });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(provider);
const tracer = trace.getTracer('t');
const N = 200_000;
const t0 = process.cpuUsage();
for (let batch = 0; batch < N / 400; batch++) {
  for (let i = 0; i < 200; i++) {
    const parent = tracer.startSpan('orderlab.orders.v1.OrderService/CreateOrder', { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'grpc', 'rpc.service': 'orderlab.orders.v1.OrderService', 'rpc.method': 'CreateOrder' } });
    const s = tracer.startSpan('pg.query:INSERT orders', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.query.text': 'WITH o AS (INSERT INTO orders (id, customer_id, status, total_cents) VALUES ($1,$2,$3,$4) RETURNING *) SELECT 1', 'db.namespace': 'orders', 'server.address': '127.0.0.1', 'server.port': 5432 } }, trace.setSpan(context.active(), parent));
    s.end(); parent.setAttribute('rpc.grpc.status_code', 0); parent.end();
  }
  await new Promise((r) => setImmediate(r));
}
await provider.forceFlush();
const u = process.cpuUsage(t0);
console.log(mode, ((u.user + u.system) / N).toFixed(2), 'µs CPU per span');
await provider.shutdown(); sink.close();
