/** @orderlab/orders — what other packages (the native runner, end-to-end tests) may import. */
export { ordersConfigSchema, type OrdersConfig } from './config.js';
export { buildOrdersService, type OrdersService } from './orders-service.js';
export { MIGRATIONS_DIR } from './migrations.js';
export { seedDatabase, seededRandom, type SeedOptions, type SeedResult } from './seed.js';
export { buildOrdersApp, type OrdersApp } from './orders-app.js';
export type { OrdersCache } from './redis-cache.js';
