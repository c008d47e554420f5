/**
 * What the notifications service prunes by age, and why (docs/configuration.md, "Retention");
 * the platform's pruner runs it every PRUNE_INTERVAL_MS.
 */
import { HOUR_MS, type PruneTable } from '@orderlab/platform/postgres';
import type { NotificationsConfig } from './config.js';

type RetentionConfig = Pick<NotificationsConfig, 'NOTIFICATIONS_RETENTION_HOURS' | 'PROCESSED_MESSAGES_RETENTION_HOURS'>;

/** The tables the service keeps bounded, notifications first: each references its processed message id. */
export function notificationsPruneTables(config: RetentionConfig): PruneTable[] {
  const notificationsMs = config.NOTIFICATIONS_RETENTION_HOURS * HOUR_MS;
  return [
    { table: 'notifications', ageColumn: 'created_at', retentionMs: notificationsMs },
    // A message id is the deduplication record: it must outlive every redelivery of its event
    // (PROCESSED_MESSAGES_RETENTION_HOURS, 24 h), and it stays while its notification does (the
    // foreign key). Aged by the longer of the two, so the index range holds only deletable ids;
    // NOT EXISTS guards an id whose notification is still there (a prune that hit its cap).
    {
      table: 'processed_messages',
      ageColumn: 'received_at',
      retentionMs: Math.max(config.PROCESSED_MESSAGES_RETENTION_HOURS * HOUR_MS, notificationsMs),
      where: 'NOT EXISTS (SELECT 1 FROM notifications n WHERE n.message_id = processed_messages.message_id)',
    },
  ];
}
