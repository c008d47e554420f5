/**
 * Demo data so the dashboards have history from the first minute: a small shop's catalog
 * (~50 products) and ~300 past orders from 40 customers over the last 7 days, mostly fulfilled,
 * a few failed. Deterministic for a given `random`; a no-op when the catalog is not empty.
 */
import type pg from 'pg';
import { inTransaction } from './database.js';

/** [sku, name, description, price in cents]; all prices in USD. */
const CATALOG: readonly (readonly [string, string, string, number])[] = [
  ['COF-ETH-250', 'Ethiopia Yirgacheffe, 250 g', 'Washed, light roast; jasmine, bergamot and lemon.', 1450],
  ['COF-COL-250', 'Colombia Huila, 250 g', 'Medium roast; caramel, red apple, milk chocolate.', 1290],
  ['COF-BRA-1K', 'Brazil Cerrado, 1 kg', 'Everyday espresso base; nutty and sweet.', 3400],
  ['COF-KEN-250', 'Kenya Nyeri AA, 250 g', 'Bright and juicy; blackcurrant and grapefruit.', 1690],
  ['COF-GUA-250', 'Guatemala Antigua, 250 g', 'Cocoa, brown sugar, a hint of spice.', 1350],
  ['COF-SUM-250', 'Sumatra Mandheling, 250 g', 'Dark roast; earthy, cedar, low acidity.', 1390],
  ['COF-DEC-250', 'Swiss Water Decaf, 250 g', 'Chemical-free decaf; chocolate and toffee.', 1390],
  ['COF-ESP-500', 'House Espresso Blend, 500 g', 'Brazil and Ethiopia; syrupy with a cocoa finish.', 2190],
  ['COF-CB-1L', 'Cold Brew Concentrate, 1 l', 'Steeped 18 hours; dilute 1:1.', 1190],
  ['TEA-SEN-100', 'Japanese Sencha, 100 g', 'Steamed green tea; grassy and sweet.', 1290],
  ['TEA-MAT-30', 'Ceremonial Matcha, 30 g', 'Stone-ground Uji tencha.', 2490],
  ['TEA-EGR-100', 'Earl Grey, 100 g', 'Ceylon black tea with bergamot oil.', 890],
  ['TEA-ASS-250', 'Assam Breakfast, 250 g', 'Malty and strong; takes milk well.', 1190],
  ['TEA-DAR-100', 'Darjeeling First Flush, 100 g', 'Muscatel and floral.', 1790],
  ['TEA-OOL-100', 'Tieguanyin Oolong, 100 g', 'Lightly oxidised; orchid and cream.', 1990],
  ['TEA-ROO-100', 'Rooibos Vanilla, 100 g', 'Caffeine-free red bush with vanilla.', 790],
  ['TEA-CHM-50', 'Chamomile Flowers, 50 g', 'Whole Egyptian chamomile.', 690],
  ['TEA-CHAI-200', 'Masala Chai Blend, 200 g', 'Assam with cardamom, ginger and clove.', 1090],
  ['KIT-V60-02', 'Ceramic Pour-Over Dripper 02', 'Spiral ribs, single large hole.', 2490],
  ['KIT-FLT-100', 'Paper Filters 02, 100 pcs', 'Oxygen-bleached, fits size 02 drippers.', 690],
  ['KIT-FP-1L', 'French Press, 1 l', 'Borosilicate glass, stainless frame.', 3490],
  ['KIT-AERO', 'AeroPress Coffee Maker', 'With 350 micro-filters.', 3995],
  ['KIT-MOKA-6', 'Moka Pot, 6 cups', 'Cast aluminium stovetop brewer.', 3290],
  ['KIT-GRD-HND', 'Hand Grinder, Conical Burr', 'Stainless burrs, 40 grind settings.', 8900],
  ['KIT-GRD-ELC', 'Electric Burr Grinder', 'Flat burrs, timed dosing.', 18900],
  ['KIT-KTL-GOOS', 'Gooseneck Kettle, 1 l', 'Variable temperature, hold function.', 7900],
  ['KIT-SCL-01', 'Coffee Scale with Timer', '0.1 g resolution, auto-tare.', 3990],
  ['KIT-MLK-PIT', 'Milk Pitcher, 350 ml', 'Stainless, for latte art.', 1590],
  ['KIT-TMP-58', 'Espresso Tamper, 58 mm', 'Walnut handle, flat base.', 2990],
  ['KIT-TPT-CLR', 'Glass Teapot with Infuser, 800 ml', 'Heat-resistant glass, steel mesh.', 2790],
  ['KIT-CAN-500', 'Airtight Canister, 500 g', 'Keeps beans fresh; one-way valve.', 1990],
  ['MUG-CER-350', 'Stoneware Mug, 350 ml', 'Hand-glazed, dishwasher safe.', 1490],
  ['MUG-TRV-450', 'Insulated Travel Mug, 450 ml', 'Keeps hot 6 hours; leak-proof lid.', 2590],
  ['MUG-ESP-2', 'Espresso Cups, set of 2', 'Double-walled glass, 80 ml.', 1890],
  ['MUG-CUP-4', 'Porcelain Cups and Saucers, set of 4', 'Classic white, 200 ml.', 3490],
  ['STA-NB-A5D', 'Dotted Notebook A5', '160 pages, 100 g/m2 paper, lay-flat binding.', 1890],
  ['STA-NB-A5L', 'Lined Notebook A5', '160 pages, numbered, with index.', 1890],
  ['STA-NB-POC', 'Pocket Notebooks, set of 3', 'Kraft covers, grid pages.', 1190],
  ['STA-PEN-FTN', 'Fountain Pen, Medium Nib', 'Steel nib, converter included.', 3490],
  ['STA-INK-BLU', 'Bottled Ink, Blue-Black, 50 ml', 'Water-based, fast drying.', 1290],
  ['STA-PEN-GEL', 'Gel Pens 0.5 mm, pack of 5', 'Smooth black ink.', 790],
  ['STA-PCL-HB', 'Graphite Pencils HB, pack of 12', 'Cedar wood, pre-sharpened.', 690],
  ['STA-ERS-2', 'Vinyl Erasers, pack of 2', 'Clean erasing, low crumbs.', 290],
  ['STA-STK-NTE', 'Sticky Notes, 6 pads', 'Assorted pastels, 76 x 76 mm.', 590],
  ['STA-ENV-C6', 'Recycled Envelopes C6, 25 pcs', 'Self-seal, 120 g/m2.', 490],
  ['STA-CRD-PST', 'Illustrated Postcards, set of 10', 'Local artists, FSC paper.', 1290],
  ['STA-DSK-PAD', 'Desk Pad, Felt, 60 x 30 cm', 'Wool felt, non-slip.', 2490],
  ['SNK-CHO-70', 'Dark Chocolate 70 %, 100 g', 'Single-origin Peru.', 490],
  ['SNK-BIS-ALM', 'Almond Biscotti, 200 g', 'Twice-baked, made in-house.', 690],
  ['SNK-HON-250', 'Wildflower Honey, 250 g', 'Raw, from local hives.', 990],
  ['GFT-CARD-25', 'Gift Card, $25', 'Redeemable online and in store.', 2500],
];

const CUSTOMERS = 40;
const ORDERS = 300;
const DAY_MS = 24 * 60 * 60 * 1000;
const FAILURE_REASONS = ['carrier rejected the parcel', 'item damaged at packing', 'address could not be verified'];

/** A small, fast, seedable PRNG (mulberry32) returning numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version-4-shaped UUID drawn from random, so seeded runs give the same ids. */
function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = (8 + Math.floor(random() * 4)).toString(16); // the RFC 4122 variant
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** What seedDatabase did. */
export interface SeedResult {
  skipped: boolean;
  products: number;
  orders: number;
}

export interface SeedOptions {
  /** The "present" the order history leads up to. */
  now?: Date;
  /** Source of randomness; a fixed seed by default so every lab has the same demo data. */
  random?: () => number;
}

/** Seeds the catalog and order history in one transaction; does nothing if any product exists. */
export async function seedDatabase(pool: pg.Pool, { now = new Date(), random = seededRandom(20261123) }: SeedOptions = {}): Promise<SeedResult> {
  return inTransaction(pool, async (client) => {
    // Two seeders started at once (say, two replicas) must not both insert.
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('orderlab:orders:seed', 0))`);
    const { rows } = await client.query<{ present: boolean }>('SELECT EXISTS (SELECT 1 FROM products) AS present');
    if (rows[0]?.present) return { skipped: true, products: 0, orders: 0 };

    const catalogCreatedAt = new Date(now.getTime() - 30 * DAY_MS);
    const products = CATALOG.map(([sku, name, description, priceCents]) => ({ id: uuidFrom(random), sku, name, description, priceCents }));
    await client.query(
      `INSERT INTO products (id, sku, name, description, price_cents, currency, created_at)
       SELECT id, sku, name, description, price_cents, 'USD', $6
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS p(id, sku, name, description, price_cents)`,
      [products.map((p) => p.id), products.map((p) => p.sku), products.map((p) => p.name), products.map((p) => p.description), products.map((p) => p.priceCents), catalogCreatedAt],
    );

    // Column arrays for two multi-row inserts (unnest), instead of one INSERT per row.
    const order = { id: [] as string[], customer: [] as string[], status: [] as string[], total: [] as number[], created: [] as Date[], updated: [] as Date[], fulfilled: [] as (Date | null)[], reason: [] as (string | null)[], requestId: [] as string[] };
    const item = { orderId: [] as string[], line: [] as number[], productId: [] as string[], quantity: [] as number[], price: [] as number[] };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    for (let n = 0; n < ORDERS; n += 1) {
      const id = uuidFrom(random);
      // Leave the last few minutes empty so no seeded order looks like it is still in flight.
      const createdAt = new Date(now.getTime() - 5 * 60_000 - Math.floor(random() * (7 * DAY_MS - 5 * 60_000)));
      const updatedAt = new Date(createdAt.getTime() + 300 + Math.floor(random() * 3_000));
      const failed = random() < 0.04;
      const lines = new Set<(typeof products)[number]>();
      const lineCount = 1 + Math.floor(random() * random() * 4);
      while (lines.size < lineCount) lines.add(pick(products));
      let total = 0;
      [...lines].forEach((product, index) => {
        const quantity = random() < 0.75 ? 1 : 2 + Math.floor(random() * 2);
        total += product.priceCents * quantity;
        item.orderId.push(id);
        item.line.push(index + 1);
        item.productId.push(product.id);
        item.quantity.push(quantity);
        item.price.push(product.priceCents);
      });
      order.id.push(id);
      order.customer.push(`cust-${String(1 + Math.floor(random() * CUSTOMERS)).padStart(4, '0')}`);
      order.status.push(failed ? 'failed' : 'fulfilled');
      order.total.push(total);
      order.created.push(createdAt);
      order.updated.push(updatedAt);
      order.fulfilled.push(failed ? null : updatedAt);
      order.reason.push(failed ? pick(FAILURE_REASONS) : null);
      order.requestId.push(`seed-${String(n + 1).padStart(4, '0')}`);
    }
    await client.query(
      `INSERT INTO orders (id, customer_id, status, total_cents, currency, created_at, updated_at, fulfillment_requested_at, fulfilled_at, failure_reason, request_id)
       SELECT id, customer_id, status, total_cents, 'USD', created_at, updated_at, created_at, fulfilled_at, failure_reason, request_id
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::text[], $9::text[])
           AS o(id, customer_id, status, total_cents, created_at, updated_at, fulfilled_at, failure_reason, request_id)`,
      [order.id, order.customer, order.status, order.total, order.created, order.updated, order.fulfilled, order.reason, order.requestId],
    );
    await client.query(
      `INSERT INTO order_items (order_id, line, product_id, quantity, unit_price_cents)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::int[], $5::bigint[])`,
      [item.orderId, item.line, item.productId, item.quantity, item.price],
    );
    return { skipped: false, products: products.length, orders: ORDERS };
  });
}
