/** GET /api/v1/notifications: stored notifications, newest first, with keyset pagination. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PAGE_SIZE } from '@orderlab/contracts/limits';
import { AppError, ErrorCode } from '@orderlab/platform';
import { jsonResponse, problemResponses } from '@orderlab/platform/http';
import { isDatabaseUnavailable } from '../database-errors.js';
import type { Notification as StoredNotification, NotificationRepository } from '../notification-repository.js';
import { decodeCursor, encodeCursor } from '../page-cursor.js';
import { ListNotificationsQuery, NotificationPage, ReadHeaders, type Notification } from '../schemas/notification.js';

/** Stable code of a cursor this API did not produce (docs/errors.md). */
export const INVALID_CURSOR = 'INVALID_CURSOR';

const DESCRIPTIONS = {
  400: `Invalid query: orderId is not a UUID, limit is outside 1-${PAGE_SIZE.max}, an unknown parameter, or a cursor this API did not produce (${INVALID_CURSOR})`,
  503: 'The database is unavailable or the service is shutting down (Retry-After)',
};

function toApi(n: StoredNotification): Notification {
  return {
    id: n.id,
    type: n.type,
    orderId: n.orderId,
    customerId: n.customerId,
    productId: n.productId,
    message: n.message,
    requestId: n.requestId,
    createdAt: n.createdAt.toISOString(),
  };
}

/** The notification routes; mount under /api/v1. */
export function notificationRoutes(repository: NotificationRepository): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/notifications',
      {
        schema: {
          operationId: 'listNotifications',
          tags: ['notifications'],
          summary: 'List notifications, newest first, optionally for one order',
          querystring: ListNotificationsQuery,
          headers: ReadHeaders,
          response: {
            200: jsonResponse(NotificationPage, 'One page of notifications'),
            ...problemResponses([400, 500, 503], { descriptions: DESCRIPTIONS }),
          },
        },
      },
      async (request): Promise<NotificationPage> => {
        const { orderId, limit = PAGE_SIZE.default, cursor } = request.query;
        const beforeSeq = cursor === undefined ? undefined : decodeCursor(cursor);
        if (beforeSeq === null) {
          throw new AppError({ code: INVALID_CURSOR, status: 400, detail: 'cursor was not produced by this API; start from the first page.' });
        }
        const page = await repository.list({ orderId, limit, beforeSeq }).catch((err: unknown) => {
          if (!isDatabaseUnavailable(err)) throw err;
          throw new AppError({ code: ErrorCode.DEPENDENCY_UNAVAILABLE, status: 503, detail: 'The database is unavailable; retry shortly.', retryAfterSeconds: 1, cause: err });
        });
        return { items: page.items.map(toApi), nextCursor: page.nextAfter ? encodeCursor(page.nextAfter.seq) : null };
      },
    );
  };
}
