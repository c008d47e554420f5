/** Shared helpers of the end-to-end tests: a throwaway lab and small HTTP helpers. */
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { startTestLab, type Lab, type LabOptions } from '@orderlab/lab';

/** Starts a throwaway lab for this test and disposes of it afterwards. */
export async function labFor(t: TestContext, label: string, overrides: LabOptions = {}): Promise<Lab> {
  const lab = await startTestLab(label, overrides);
  t.after(() => lab.dispose());
  return lab;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown>;
}

/** One HTTP request; bodies that are not strings are sent as JSON. */
export async function http(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (typeof options.body === 'string') body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, body, signal: options.signal ?? AbortSignal.timeout(15_000) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/** The first `count` product ids of the seeded catalog. */
export async function productIds(lab: Lab, count = 10): Promise<string[]> {
  const res = await http(lab.urls.gateway, 'GET', `/api/v1/products?limit=${count}`);
  return (res.json().items as { id: string }[]).map((p) => p.id);
}

/** Places an order with a fresh Idempotency-Key, the given one, or (null) none. */
export function placeOrder(lab: Lab, body: unknown, key: string | null = randomUUID(), headers: Record<string, string> = {}) {
  return http(lab.urls.gateway, 'POST', '/api/v1/orders', {
    body,
    headers: { ...(key === null ? {} : { 'idempotency-key': key }), ...headers },
  });
}

/**
 * A pg client to one of the lab's databases for assertions. Closed by the caller before the
 * lab is disposed (dispose drops the database and would kill the connection).
 */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Polls until predicate is truthy (bounded), returning its value. */
export async function eventually<T>(label: string, predicate: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
