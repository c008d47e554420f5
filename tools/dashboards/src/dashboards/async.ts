/**
 * Async pipeline: the two queues side by side, the Redis stream that fulfillment consumes on
 * the left and the RabbitMQ queue that notifications consumes on the right, row by row the
 * same question for both: how much waits, how fast it goes in and out, how long one message
 * takes, how many are retried and dead-lettered.
 */
import { maybeEmpty, q, timeseries, type BuiltDashboard, type PanelSpec, type Query } from '../grafana.js';
import { quantile, ratio, sumRate } from '../promql.js';
import { inVsOut, labDashboard, rightAxis } from './common.js';

const fulfillment = 'job="fulfillment"';
const notifications = 'job="notifications"';
const broker = 'job="rabbitmq-detailed"';

/** One side of a row: a panel without its width and its side's title prefix. */
type Side = Omit<PanelSpec, 'width'>;

/** Two panels of a row, stream left and broker right, half the width each. */
function sideBySide(stream: Side, rabbit: Side): PanelSpec[] {
  return [
    { ...stream, width: 12, title: `Stream · ${stream.title}` },
    { ...rabbit, width: 12, title: `RabbitMQ · ${rabbit.title}` },
  ];
}

/** p50 and p95 time the consumer of job spends on one delivery. */
function processingTime(job: string, description: string): Side {
  return timeseries('processing time', description, {
    unit: 's',
    queries: [0.5, 0.95].map((p) => q(quantile(p, 'messaging_process_duration_seconds', job), `p${p * 100}`)),
  });
}

/** The share of the consumer's deliveries that failed, and its redeliveries on a right axis. */
function failuresAndRedeliveries(job: string, description: string): Side {
  return timeseries('failures and redeliveries', description, {
    unit: 'percentunit',
    queries: [
      q(ratio('messaging_process_duration_seconds_count', job, 'error_type!=""'), 'failed ratio'),
      maybeEmpty(sumRate('orderlab_messaging_redelivered_messages_total', job), 'redelivered/s'),
    ],
    overrides: [rightAxis('redelivered/s', 'ops')],
  });
}

/** What sits in the dead-letter destination (inDead), and the rate the consumer of job moves messages there. */
function deadLetters(job: string, description: string, inDead: Query): Side {
  return timeseries('dead letters', description, {
    queries: [inDead, maybeEmpty(sumRate('orderlab_messaging_dead_lettered_messages_total', job), 'dead-lettered/s')],
    overrides: [rightAxis('dead-lettered/s', 'ops')],
  });
}

export function asyncDashboard(): BuiltDashboard {
  return labDashboard({ uid: 'orderlab-async', name: 'Async pipeline', tags: ['async', 'redis', 'rabbitmq', 'use'] }, {
    description: 'The Redis stream (orders → fulfillment) and the RabbitMQ queue (orders → notifications) side by side: depth, age, in/out rate, processing time, retries and dead letters.',
    rows: [
      {
        title: 'Depth: what waits',
        panels: sideBySide(
          {
            type: 'timeseries',
            title: 'entries waiting',
            description: 'fulfillment:requests: entries not yet delivered to the consumer group (lag) and delivered but not acknowledged (pending). Pending stays near FULFILLMENT_CONCURRENCY when healthy.',
            stack: true,
            queries: [q('sum by (state) (orderlab_queue_messages{job="fulfillment", state=~"lag|pending"})', '{{state}}')],
          },
          {
            type: 'timeseries',
            title: 'messages waiting',
            description: 'Per queue: ready (waiting for a consumer) and unacknowledged (delivered to notifications, not yet acked; bounded by NOTIFICATIONS_PREFETCH).',
            stack: true,
            queries: [
              q(`sum by (queue) (rabbitmq_detailed_queue_messages_ready{${broker}})`, '{{queue}} ready'),
              q(`sum by (queue) (rabbitmq_detailed_queue_messages_unacked{${broker}})`, '{{queue}} unacked'),
            ],
          },
        ),
      },
      {
        title: 'Lag: how old, who consumes',
        panels: sideBySide(
          {
            type: 'timeseries',
            title: 'age of the oldest entry',
            description: 'Age of the oldest undelivered or unacknowledged entry (0 when none), and of the oldest outbox row not yet added to the stream. Seconds here are seconds an order waits to be fulfilled.',
            unit: 's',
            threshold: { value: 30, color: 'orange' },
            queries: [
              q(`max(orderlab_queue_oldest_message_age_seconds{${fulfillment}})`, 'stream'),
              q('max(orderlab_outbox_oldest_message_age_seconds{job="orders", outbox_destination="fulfillment"})', 'outbox (before the stream)'),
            ],
          },
          {
            type: 'timeseries',
            title: 'consumers and outbox age',
            description: 'Consumers attached to each queue (notifications.dead has none by design; 0 on notifications means events pile up unread), and the age of the oldest event the outbox has not yet published.',
            queries: [
              q(`sum by (queue) (rabbitmq_detailed_queue_consumers{${broker}})`, 'consumers {{queue}}'),
              q('max(orderlab_outbox_oldest_message_age_seconds{job="orders", outbox_destination="events"})', 'outbox age (before the broker)'),
            ],
            overrides: [rightAxis(/^outbox/, 's')],
          },
        ),
      },
      {
        title: 'Throughput: in vs out',
        panels: sideBySide(
          inVsOut(
            'added vs consumed',
            'Entries the outbox relay added (XADD) vs entries fulfillment read. When "added" stays above "consumed" the backlog grows.',
            'job="orders", messaging_system="redis", error_type=""',
            'added',
            'fulfillment',
          ),
          inVsOut(
            'published vs consumed',
            'Events the outbox relay published (confirmed by the broker) vs messages notifications received from its queue.',
            'job="orders", messaging_system="rabbitmq", error_type=""',
            'published',
            'notifications',
          ),
        ),
      },
      {
        title: 'Processing time',
        panels: sideBySide(
          processingTime(fulfillment, 'p50 and p95 time fulfillment spends on one entry (pick + pack + ship + the gRPC report to orders).'),
          processingTime(notifications, 'p50 and p95 time notifications spends on one event (validate, store, ack).'),
        ),
      },
      {
        title: 'Failures and retries',
        panels: sideBySide(
          failuresAndRedeliveries(
            fulfillment,
            'Share of entries whose processing failed, and entries delivered again (reclaimed from a stalled consumer or retried). Redeliveries are empty until the first one happens.',
          ),
          failuresAndRedeliveries(
            notifications,
            'Share of events whose handling failed (invalid or returned for another delivery), and deliveries the broker flagged as redelivered. Redeliveries are empty until the first one happens.',
          ),
        ),
      },
      {
        title: 'Dead letters',
        panels: sideBySide(
          deadLetters(
            fulfillment,
            'Entries given up on after FULFILLMENT_MAX_DELIVERIES and moved to fulfillment:dead (length), and the rate they arrive at (empty until the first one).',
            q(`sum(orderlab_queue_messages{${fulfillment}, state="dead"})`, 'in fulfillment:dead'),
          ),
          deadLetters(
            notifications,
            'Messages in notifications.dead (invalid events at once, others after NOTIFICATIONS_DELIVERY_LIMIT deliveries), and the rate notifications rejects them at (empty until the first one).',
            q(`sum(rabbitmq_detailed_queue_messages{${broker}, queue="notifications.dead"})`, 'in notifications.dead'),
          ),
        ),
      },
    ],
  });
}
