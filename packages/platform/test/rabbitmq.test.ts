import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectRabbitMq } from '../src/rabbitmq.js';
import { captureLogs, closeVhostConnections, createTestVhost, waitFor } from '../src/testing/index.js';

describe('connectRabbitMq', () => {
  it('runs setup on connect and again after the broker closes the connection', async (t) => {
    const vhost = await createTestVhost('platform_amqp');
    t.after(() => vhost.drop());
    const { logger, lines } = captureLogs('test');
    let setups = 0;
    const connectionName = `platform-test-${vhost.name}`;
    const mq = await connectRabbitMq({
      url: vhost.url,
      connectionName,
      logger,
      setup: async (model) => {
        const channel = await model.createChannel();
        await channel.assertQueue('probe', { durable: true });
        await channel.close();
        setups += 1;
      },
    });
    t.after(() => mq.close());
    await waitFor('the first connection', () => mq.isConnected());
    assert.equal(setups, 1);
    await mq.check();

    // Close it from the broker side, as a broker restart or a network cut would.
    assert.equal(await closeVhostConnections(vhost.name), 1);
    await waitFor('the reconnect and second setup', () => setups === 2 && mq.isConnected(), { timeoutMs: 20_000 });
    assert.ok(lines().some((l) => l.msg === 'disconnected from RabbitMQ; reconnecting'));
  });
});
