import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import Value from 'typebox/value';
import { buildAsyncApiDocument } from '../src/asyncapi.js';
import { EVENT_ENVELOPES, EVENT_TYPES } from '../src/events.js';

const committed = new URL('../../../../docs/api/asyncapi.json', import.meta.url);

describe('docs/api/asyncapi.json', () => {
  it('is the document generated from the event schemas (run `npm run api:docs` after changing them)', () => {
    assert.deepEqual(JSON.parse(readFileSync(committed, 'utf8')), buildAsyncApiDocument());
  });

  it('is a valid AsyncAPI 3 document without errors or warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(committed, 'utf8'));
    // Spectral's severity is its own copy of the @stoplight/types enum (0 error, 1 warning), so compare the numbers.
    const problems = diagnostics.filter((d) => Number(d.severity) <= Number(DiagnosticSeverity.Warning)).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`);
    assert.deepEqual(problems, []);
    assert.ok(document);
    assert.deepEqual(
      document.channels().all().map((c) => c.address()).filter((a) => a !== 'notifications').sort(),
      [...EVENT_TYPES].sort(),
    );
  });

  it('describes exactly the payload schemas the services validate with', () => {
    const doc = JSON.parse(readFileSync(committed, 'utf8')) as { components: { schemas: Record<string, unknown> } };
    for (const type of EVENT_TYPES) {
      const name = type.replace(/[.-](\w)/g, (_, c: string) => c.toUpperCase());
      assert.deepEqual(doc.components.schemas[`${name}Envelope`], JSON.parse(JSON.stringify(EVENT_ENVELOPES[type])), type);
    }
  });
});

describe('event envelopes', () => {
  const order = {
    id: '0b7e8c2e-1f4f-4c39-9d53-1c8f6a1d2e10',
    customerId: 'cust-0001',
    status: 'pending',
    items: [{ productId: '6f1c1f3e-8f5e-4f43-9c1a-2f7a0f3b8b10', quantity: 2, unitPriceCents: 450 }],
    totalCents: 900,
    currency: 'USD',
    createdAt: '2026-11-23T18:00:00.000Z',
    updatedAt: '2026-11-23T18:00:00.000Z',
  };
  const envelope = { id: '9d2b6a4e-3c1f-4b8e-a7d5-0e6f2c9b1a34', type: 'order.created', timestamp: '2026-11-23T18:00:00.001Z', source_service: 'orders', data: order };

  it('accepts a well-formed order.created', () => {
    assert.equal(Value.Check(EVENT_ENVELOPES['order.created'], envelope), true);
  });

  it('rejects a wrong type, an unknown field, or a missing shipment on order.fulfilled', () => {
    assert.equal(Value.Check(EVENT_ENVELOPES['order.created'], { ...envelope, type: 'order.fulfilled' }), false);
    assert.equal(Value.Check(EVENT_ENVELOPES['order.created'], { ...envelope, extra: 1 }), false);
    assert.equal(Value.Check(EVENT_ENVELOPES['order.created'], { ...envelope, data: { ...order, totalCents: -1 } }), false);
    assert.equal(Value.Check(EVENT_ENVELOPES['order.fulfilled'], { ...envelope, type: 'order.fulfilled', data: { ...order, status: 'fulfilled' } }), false);
  });
});
