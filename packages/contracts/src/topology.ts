/**
 * The lab's topology: every process's name and port, and the addresses the others reach it at
 * by default — the one place in the code where a port number is written (compose.yaml, the
 * other, is held against it by tests/e2e/test/topology.test.ts). Services take their config
 * defaults from here, the native runner its ports, data stores and Prometheus targets, and
 * `npm run gen:config` the addresses in deploy/ (Compose's prometheus.yml, Grafana's
 * datasource). Light on purpose (no imports): import it as `@orderlab/contracts/topology`,
 * never through the gRPC entry point.
 */

/** Where everything listens natively: loopback only. */
export const HOST = '127.0.0.1';

/** The standard port of every process of the lab (natively; in Compose each has its own host name). */
export const PORTS = {
  /** Nginx, the only public entry. */
  edge: 8080,
  /** Nginx stub_status (internal; read by the edge exporter). */
  edgeStatus: 8088,
  gateway: 8081,
  ordersGrpc: 50051,
  /** orders' HTTP: /healthz, /readyz, /metrics. */
  ordersOps: 8082,
  /** fulfillment's HTTP: /healthz, /readyz, /metrics. */
  fulfillmentOps: 8083,
  notifications: 8084,
  traffic: 8089,
  prometheus: 9090,
  grafana: 3000,
  edgeExporter: 9113,
  postgresExporter: 9187,
  redisExporter: 9121,
  postgres: 5432,
  redis: 6379,
  rabbitmq: 5672,
  /** RabbitMQ's rabbitmq_prometheus plugin. */
  rabbitmqPrometheus: 15692,
  /** RabbitMQ's management UI and HTTP API. */
  rabbitmqManagement: 15672,
  /** Erlang distribution (rabbitmqctl talks to the node through it). */
  rabbitmqDist: 25672,
  /** The OpenTelemetry Collector's OTLP receiver over gRPC. */
  otlpGrpc: 4317,
  /** The Collector's OTLP receiver over HTTP (the services export here: /v1/traces). */
  otlpHttp: 4318,
  /** The Collector's health_check extension. */
  collectorHealth: 13133,
  /** The Collector's own metrics (service.telemetry). */
  collectorMetrics: 8888,
  /** The Collector's Prometheus exporter: span metrics (RED from spans). */
  spanMetrics: 8889,
  /** Jaeger's query API (HTTP, /api/traces…), natively the trace store. */
  jaegerQuery: 16686,
  /** Jaeger's query API over gRPC (bound to loopback; unused by the lab). */
  jaegerQueryGrpc: 16685,
  /** Jaeger's own OTLP receiver over gRPC: the Collector exports traces to it (the Collector holds 4317). */
  jaegerOtlpGrpc: 14317,
  /** Jaeger's health check. */
  jaegerHealth: 13134,
  /** Jaeger's own metrics. */
  jaegerMetrics: 14269,
  /** Tempo's HTTP API (Compose's trace store). */
  tempo: 3200,
  /** VictoriaLogs: the log store's ingestion and LogsQL query API, and its UI at /select/vmui. */
  victoriaLogs: 9428,
  /** Loki's HTTP API (Compose's log store for Grafana). */
  loki: 3100,
  /** Grafana Alloy's HTTP server (its UI and metrics; Compose's log collector). */
  alloy: 12345,
} as const;

/** One of the ports above. */
export type PortName = keyof typeof PORTS;

/** The Compose service (host name) each port belongs to. */
export const COMPOSE_HOSTS: Readonly<Record<PortName, string>> = {
  edge: 'edge',
  edgeStatus: 'edge',
  gateway: 'gateway',
  ordersGrpc: 'orders',
  ordersOps: 'orders',
  fulfillmentOps: 'fulfillment',
  notifications: 'notifications',
  traffic: 'traffic',
  prometheus: 'prometheus',
  grafana: 'grafana',
  edgeExporter: 'edge-exporter',
  postgresExporter: 'postgres-exporter',
  redisExporter: 'redis-exporter',
  postgres: 'postgres',
  redis: 'redis',
  rabbitmq: 'rabbitmq',
  rabbitmqPrometheus: 'rabbitmq',
  rabbitmqManagement: 'rabbitmq',
  rabbitmqDist: 'rabbitmq',
  otlpGrpc: 'otel-collector',
  otlpHttp: 'otel-collector',
  collectorHealth: 'otel-collector',
  collectorMetrics: 'otel-collector',
  spanMetrics: 'otel-collector',
  jaegerQuery: 'jaeger',
  jaegerQueryGrpc: 'jaeger',
  jaegerOtlpGrpc: 'jaeger',
  jaegerHealth: 'jaeger',
  jaegerMetrics: 'jaeger',
  tempo: 'tempo',
  victoriaLogs: 'victorialogs',
  loki: 'loki',
  alloy: 'alloy',
};

/** `host:port` of a port natively (127.0.0.1) or in Compose (its service's host name). */
export function address(port: PortName, where: 'native' | 'compose' = 'native'): string {
  return `${where === 'native' ? HOST : COMPOSE_HOSTS[port]}:${PORTS[port]}`;
}

/** Postgres URL of a service's own database and role (the lab names all three after the service). */
export function serviceDatabaseUrl(service: string): string {
  return `postgres://${service}:${service}@${address('postgres')}/${service}`;
}

/** The native addresses the services' config defaults point at. */
export const DEFAULT_URLS = {
  /** The Postgres superuser, trusted on 127.0.0.1 in the lab's own cluster. */
  postgresAdmin: `postgres://postgres@${address('postgres')}/postgres`,
  redis: `redis://${address('redis')}`,
  /** The broker without a vhost. */
  rabbitmq: `amqp://guest:guest@${address('rabbitmq')}`,
  ordersGrpc: address('ordersGrpc'),
  edge: `http://${address('edge')}`,
  /** Where the services export spans (OTLP over HTTP; the SDK appends /v1/traces). */
  otlpHttp: `http://${address('otlpHttp')}`,
  /** Jaeger's query API, which the console reads traces from. */
  jaegerQuery: `http://${address('jaegerQuery')}`,
  /** VictoriaLogs, which the console reads logs from (LogsQL). */
  victoriaLogs: `http://${address('victoriaLogs')}`,
} as const;
