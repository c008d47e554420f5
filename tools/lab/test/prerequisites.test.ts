import assert from 'node:assert/strict';
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
    assert.match(rabbitmq ?? '', /^optional, missing: RabbitMQ at .* — fix: .*rabbitmq-server -detached$/);
    assert.deepEqual(reporter.messages, [], 'nothing is started for a non-standard address');
  });

  it('is satisfied when only an optional prerequisite is missing', async () => {
    const report = await ensurePrerequisites({ addresses: { rabbitmq: { port: await freePort() } } });

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
