/** What a notification says about an event, as one human sentence. No I/O. */
import type { EventEnvelope } from '@orderlab/contracts';

/** The columns of a notification derived from its event. */
export interface NotificationContent {
  type: EventEnvelope['type'];
  orderId: string | null;
  customerId: string | null;
  productId: string | null;
  message: string;
}

/** Longest free text (product names, failure reasons) quoted in a message. */
const MAX_QUOTED_CHARS = 200;

/** The notification of an event: which order/customer/product it concerns and a sentence about it. */
export function notificationOf(event: EventEnvelope): NotificationContent {
  switch (event.type) {
    case 'order.created': {
      const { id, customerId, items, totalCents, currency } = event.data;
      const count = items.reduce((sum, item) => sum + item.quantity, 0);
      return order(event.type, id, customerId, `was placed: ${count} ${count === 1 ? 'item' : 'items'}, ${formatMoney(totalCents, currency)}`);
    }
    case 'order.fulfilled': {
      const { id, customerId, shipmentId, trackingNumber } = event.data;
      return order(event.type, id, customerId, `was fulfilled: shipment ${clip(shipmentId)}, tracking number ${clip(trackingNumber)}`);
    }
    case 'order.failed': {
      const { id, customerId, failureReason } = event.data;
      return order(event.type, id, customerId, `could not be fulfilled: ${clip(failureReason)}`);
    }
    case 'item.created': {
      const { id, sku, name, priceCents, currency } = event.data;
      return {
        type: event.type,
        orderId: null,
        customerId: null,
        productId: id,
        message: `New in the catalog: ${clip(name)} (${clip(sku)}) at ${formatMoney(priceCents, currency)}`,
      };
    }
  }
}

function order(type: NotificationContent['type'], orderId: string, customerId: string, what: string): NotificationContent {
  return { type, orderId, customerId, productId: null, message: `Order ${orderId} for ${customerId} ${what}` };
}

/** 1234 EUR → "€12.34"; amounts are integer cents (two decimals) in every OrderLab currency. */
export function formatMoney(cents: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(cents / 100);
}

function clip(text: string): string {
  return text.length <= MAX_QUOTED_CHARS ? text : `${text.slice(0, MAX_QUOTED_CHARS - 1)}…`;
}
