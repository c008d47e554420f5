/**
 * Runtime (USE): for each Node service the resources it uses and how saturated they are
 * (CPU, resident memory, heap, garbage collection, event-loop lag, open handles), whether it
 * is up and which build runs, and the backing stores' own resources next to them.
 */
import { q, type BuiltDashboard } from '../grafana.js';
import { LAB_DATABASES, labDashboard } from './common.js';

const services = 'job=~"$job"';

export function runtimeDashboard(): BuiltDashboard {
  return labDashboard({ uid: 'orderlab-runtime', name: 'Runtime (USE)', tags: ['runtime', 'use', 'nodejs'] }, {
    description: 'Utilization and saturation of every Node service (CPU, memory, heap, GC, event loop) and of the backing stores.',
    // The Node services are exactly the jobs with an event-loop metric (exporters have none).
    variables: [{ name: 'job', label: 'Service', query: 'label_values(nodejs_eventloop_lag_p99_seconds, job)', allValue: '.+' }],
    rows: [
      {
        title: 'Up and build',
        panels: [
          {
            type: 'state-timeline',
            title: 'Scrape target up',
            description: 'Whether Prometheus could scrape each service (1 up, 0 down). A gap or a red stretch is a crash, a restart or an overloaded /metrics.',
            width: 16,
            height: 6,
            queries: [q(`up{${services}}`, '{{job}}')],
            fieldDefaults: { mappings: [{ type: 'value', options: { '0': { text: 'down', color: 'red' }, '1': { text: 'up', color: 'green' } } }] },
          },
          {
            type: 'table',
            title: 'Builds running',
            description: 'orderlab_build_info: the service name and version each process reports.',
            width: 8,
            height: 6,
            queries: [q(`orderlab_build_info{${services}}`, undefined, { instant: true, format: 'table' })],
            transformations: [{ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true, instance: true } } }],
          },
        ],
      },
      {
        title: 'CPU and memory (utilization)',
        panels: [
          {
            type: 'timeseries',
            title: 'CPU (cores)',
            description: 'CPU time per second of each process (1 = one full core). Node runs JavaScript on one thread: a service near 1 is CPU-bound whatever its container limit.',
            unit: 'percentunit',
            queries: [q(`sum by (job) (rate(process_cpu_seconds_total{${services}}[$__rate_interval]))`, '{{job}}')],
          },
          {
            type: 'timeseries',
            title: 'Resident memory',
            description: 'Resident set size of each process. Compare with the container limit (docs/compose.md): past it the kernel kills the container.',
            unit: 'bytes',
            queries: [q(`sum by (job) (process_resident_memory_bytes{${services}})`, '{{job}}')],
          },
          {
            type: 'timeseries',
            title: 'Heap used',
            description: 'V8 heap in use. A saw-tooth is normal (allocations, then GC); a rising floor is a leak.',
            unit: 'bytes',
            queries: [q(`sum by (job) (nodejs_heap_size_used_bytes{${services}})`, '{{job}}')],
          },
        ],
      },
      {
        title: 'Saturation: event loop and GC',
        panels: [
          {
            type: 'timeseries',
            title: 'Event-loop lag p99',
            description: 'How late the event loop runs timers (p99). Every request waits this long before its code runs; above ~100 ms users notice.',
            unit: 's',
            threshold: { value: 0.2, color: 'orange' },
            queries: [q(`max by (job) (nodejs_eventloop_lag_p99_seconds{${services}})`, '{{job}}')],
          },
          {
            type: 'timeseries',
            title: 'GC time per second',
            description: 'Seconds spent in garbage collection per second, by kind (minor = young generation, major = mark-sweep). Above ~0.05 the heap is too small or something allocates a lot.',
            unit: 'percentunit',
            stack: true,
            queries: [q(`sum by (job, kind) (rate(nodejs_gc_duration_seconds_sum{${services}}[$__rate_interval]))`, '{{job}} {{kind}}')],
          },
          {
            type: 'timeseries',
            title: 'Active handles',
            description: 'Open sockets, timers and other libuv handles. Growing without traffic growing: a connection or timer leak.',
            queries: [q(`sum by (job) (nodejs_active_handles_total{${services}})`, '{{job}}')],
          },
        ],
      },
      {
        title: 'Backing stores',
        panels: [
          {
            type: 'state-timeline',
            title: 'Exporters and stores up',
            description: 'Whether Prometheus reaches each exporter (up) and each exporter reaches its server (pg_up, redis_up, nginx_up).',
            width: 24,
            height: 6,
            queries: [
              q('up{job=~"edge|postgres|redis|rabbitmq|rabbitmq-detailed|prometheus"}', 'scrape {{job}}'),
              q('pg_up{job="postgres"}', 'postgres server'),
              q('redis_up{job="redis"}', 'redis server'),
              q('nginx_up{job="edge"}', 'nginx server'),
            ],
            fieldDefaults: { mappings: [{ type: 'value', options: { '0': { text: 'down', color: 'red' }, '1': { text: 'up', color: 'green' } } }] },
          },
          {
            type: 'timeseries',
            title: 'RabbitMQ memory vs its alarm',
            description: 'Memory the broker uses vs the limit at which it raises the memory alarm and blocks publishers (256 MiB in Compose). The alarm series is 1 while it is raised.',
            unit: 'bytes',
            queries: [
              q('sum(rabbitmq_process_resident_memory_bytes{job="rabbitmq"})', 'used'),
              q('sum(rabbitmq_resident_memory_limit_bytes{job="rabbitmq"})', 'alarm limit'),
              q('max(rabbitmq_alarms_memory_used_watermark{job="rabbitmq"})', 'alarm raised'),
            ],
            overrides: [{ matcher: { id: 'byName', options: 'alarm raised' }, properties: [{ id: 'unit', value: 'bool_yes_no' }, { id: 'custom.axisPlacement', value: 'right' }] }],
          },
          {
            type: 'timeseries',
            title: 'Redis memory and clients',
            description: 'Memory Redis uses vs maxmemory (writes fail past it: noeviction), and connected and blocked clients (blocked = consumers waiting in XREADGROUP BLOCK).',
            unit: 'bytes',
            queries: [
              q('sum(redis_memory_used_bytes{job="redis"})', 'used'),
              q('sum(redis_memory_max_bytes{job="redis"})', 'maxmemory'),
              q('sum(redis_connected_clients{job="redis"})', 'connected clients'),
              q('sum(redis_blocked_clients{job="redis"})', 'blocked clients'),
            ],
            overrides: [{ matcher: { id: 'byRegexp', options: 'clients$' }, properties: [{ id: 'unit', value: 'short' }, { id: 'custom.axisPlacement', value: 'right' }] }],
          },
          {
            type: 'timeseries',
            title: 'PostgreSQL sessions by state',
            description: 'Server sessions per database and state (active, idle, idle in transaction) from pg_stat_activity. Idle in transaction for long holds locks.',
            queries: [q(`sum by (datname, state) (pg_stat_activity_count{${LAB_DATABASES}})`, '{{datname}} {{state}}')],
          },
        ],
      },
    ],
  });
}
