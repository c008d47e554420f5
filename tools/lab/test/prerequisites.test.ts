import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { freePort } from '../src/ports.js';
import { ensurePrerequisites } from '../src/prerequisites.js';
import { recordingReporter } from './helpers.js';

describe('ensurePrerequisites', () => {
  it('reports each missing prerequisite on one line with the command that fixes it', async () => {
    const closed = await freePort();
    const reporter = recordingReporter();
    const report = await ensurePrerequisites({
      addresses: { postgres: { port: closed }, redis: { port: closed }, rabbitmq: { port: closed } },
      reporter,
    });

    assert.equal(report.ok, false);
    assert.equal(report.problems.length, 3);
    const [postgres, redis, rabbitmq] = report.problems;
    assert.match(postgres ?? '', new RegExp(`^missing: PostgreSQL at 127\\.0\\.0\\.1:${closed} \\(.*ECONNREFUSED.*\\) — fix: `));
    assert.ok(postgres?.endsWith('pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'), postgres);
    assert.match(redis ?? '', new RegExp(`^missing: Redis at 127\\.0\\.0\\.1:${closed} `));
    assert.ok(
      redis?.endsWith(
        'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
      ),
      redis,
    );
    assert.match(rabbitmq ?? '', new RegExp(`^missing: RabbitMQ at 127\\.0\\.0\\.1:${closed} \\(.*ECONNREFUSED.*\\) — fix: .*rabbitmq-server -detached$`));
    assert.deepEqual(reporter.messages, [], 'nothing is started for a non-standard address');
  });

  it('requires RabbitMQ by default, and answers with the broker up', async () => {
    const down = await ensurePrerequisites({ check: ['rabbitmq'], addresses: { rabbitmq: { port: await freePort() } } });
    const up = await ensurePrerequisites({ check: ['rabbitmq'] });

    assert.equal(down.ok, false);
    assert.match(down.problems[0] ?? '', /^missing: RabbitMQ/);
    assert.equal(up.ok, true, up.problems.join('\n'));
  });

  it('does not mistake another server for RabbitMQ', async (t) => {
    // Something listens but answers like an HTTP server: reported, never "started" over it.
    const impostor = createServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => impostor.close(() => resolve())));
    const port = (impostor.address() as AddressInfo).port;

    const report = await ensurePrerequisites({ check: ['rabbitmq'], addresses: { rabbitmq: { port } } });

    assert.equal(report.ok, false);
    assert.equal(
      report.problems[0],
      `missing: RabbitMQ at 127.0.0.1:${port} (not an AMQP 0-9-1 broker (reply starts "HTTP/1.1")) — fix: check what listens on 127.0.0.1:${port}`,
    );
  });

  it('is satisfied when only a prerequisite that is not required is missing', async () => {
    const report = await ensurePrerequisites({ required: ['postgres', 'redis'], addresses: { rabbitmq: { port: await freePort() } } });

    assert.equal(report.ok, true, report.problems.join('\n'));
    assert.deepEqual(
      report.results.map((r) => [r.name, r.ok]),
      [
        ['postgres', true],
        ['redis', true],
        ['rabbitmq', false],
      ],
    );
  });

  it('fails when a prerequisite made required is missing', async () => {
    const report = await ensurePrerequisites({
      check: ['rabbitmq'],
      required: ['rabbitmq'],
      addresses: { rabbitmq: { port: await freePort() } },
    });

    assert.equal(report.ok, false);
    assert.match(report.problems[0] ?? '', /^missing: RabbitMQ/);
  });
});
