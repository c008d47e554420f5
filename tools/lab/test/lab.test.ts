import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { startLab } from '../src/lab.js';
import { testLabOptions } from '../src/lab-options.js';
import { PortInUseError } from '../src/ports.js';
import { findTestFiles } from '../src/run-tests.js';

describe('startLab', () => {
  it('refuses to start when one of its ports is taken, and says which', async (t) => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    const address = squatter.address();
    const taken = typeof address === 'object' && address ? address.port : 0;
    const options = await testLabOptions('port-in-use');

    const err = await startLab({ ...options, ports: { ...options.ports, gateway: taken } }).then(
      () => assert.fail('should not start'),
      (e: unknown) => e,
    );

    assert.ok(err instanceof PortInUseError);
    assert.equal(err.message, `port ${taken} (gateway HTTP) in use — is another lab running? Stop it, or free the port.`);
  });
});

describe('npm test file selection', () => {
  it('finds compiled tests of every workspace and narrows them by filter', () => {
    const all = findTestFiles();
    assert.ok(all.some((f) => f.compiled === 'tools/lab/dist/test/supervisor.test.js' && f.source === 'tools/lab/test/supervisor.test.ts'));
    assert.ok(all.every((f) => f.compiled.includes('/dist/test/') && f.compiled.endsWith('.test.js')));
    assert.ok(!all.some((f) => f.compiled.includes('fixtures/')), 'helpers and fixtures are not test files');
    // The broker-restart test must run alone, after the rest; only *.serial.test.ts files are held back.
    assert.ok(all.some((f) => f.serial && f.source === 'tests/e2e/test/events-broker-restart.serial.test.ts'));
    assert.ok(all.every((f) => f.serial === f.source.endsWith('.serial.test.ts')));
    assert.ok(all.some((f) => !f.serial && f.source === 'tests/e2e/test/order-flow.test.ts'));

    assert.deepEqual(
      findTestFiles(['tools/lab/test/supervisor.test.ts']).map((f) => f.compiled),
      ['tools/lab/dist/test/supervisor.test.js'],
    );
  });
});
