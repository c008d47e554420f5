import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '@orderlab/platform';
import { IDEMPOTENCY_KEY_PATTERN, parseIdempotencyKey } from '../src/idempotency-key.js';

function codeOf(header: string | undefined): string {
  try {
    parseIdempotencyKey(header);
    return 'OK';
  } catch (err) {
    assert.ok(err instanceof AppError);
    assert.equal(err.status, 400);
    return err.code;
  }
}

describe('Idempotency-Key header', () => {
  it('accepts a bare key such as a UUID', () => {
    assert.equal(parseIdempotencyKey('3b241101-e2bb-4255-8caf-4136c566a962'), '3b241101-e2bb-4255-8caf-4136c566a962');
  });

  it('accepts the RFC 8941 quoted-string form and strips the quotes and escapes', () => {
    assert.equal(parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"'), '8e03978e-40d5-43e8-bc93-6894a57f9324');
    assert.equal(parseIdempotencyKey('"order 42 \\"retry\\""'), 'order 42 "retry"');
  });

  it('accepts 255 characters and refuses 256', () => {
    assert.equal(parseIdempotencyKey('k'.repeat(255)).length, 255);
    assert.equal(codeOf('k'.repeat(256)), 'IDEMPOTENCY_KEY_INVALID');
  });

  it('counts a quoted key once unescaped: 255 characters are accepted, 256 refused', () => {
    assert.equal(parseIdempotencyKey(`"${'\\"'.repeat(255)}"`), '"'.repeat(255));
    assert.equal(codeOf(`"${'\\"'.repeat(256)}"`), 'IDEMPOTENCY_KEY_INVALID');
  });

  it('says a missing or empty key is required', () => {
    assert.equal(codeOf(undefined), 'IDEMPOTENCY_KEY_REQUIRED');
    assert.equal(codeOf(''), 'IDEMPOTENCY_KEY_REQUIRED');
  });

  it('refuses malformed keys', () => {
    for (const bad of ['"unterminated', '""', '"bad \\x escape"', '"a"b"', 'tab\there', 'caf\u00e9', '" padded"']) {
      assert.equal(codeOf(bad), 'IDEMPOTENCY_KEY_INVALID', bad);
    }
  });

  it('documents, as a JSON Schema pattern, exactly the values it accepts', () => {
    // Unicode mode, as Ajv compiles patterns for the route schema.
    const documented = new RegExp(IDEMPOTENCY_KEY_PATTERN, 'u');
    const samples = [
      '3b241101-e2bb-4255-8caf-4136c566a962', 'k', 'inner space', 'quote"inside', 'k'.repeat(255), '"q"', '" "', '"a b"',
      '"esc \\\\ \\"q\\""', '"x"y', 'k'.repeat(256), ' lead', 'trail ', '"unterminated', '""', '" padded"', '"bad \\x"',
      'tab\there', 'caf\u00e9', 'a\nb',
    ];
    for (const value of samples) assert.equal(documented.test(value), codeOf(value) === 'OK', JSON.stringify(value));
  });
});
