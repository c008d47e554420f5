import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { pgAdminUrl } from '../src/config.js';
import { describeServiceDatabase } from '../src/databases.js';
import { rabbitmqctl } from '@orderlab/platform/testing';
import { DATABASE_SERVICES, LAB_SERVICES } from '../src/lab-options.js';
import { startTestLab } from '../src/lab.js';
import { alive, waitFor } from './helpers.js';

async function vhosts(): Promise<string[]> {
  return (await rabbitmqctl('list_vhosts', '--no-table-headers')).split('\n').map((l) => l.trim());
}

describe('startTestLab with the real services', () => {
  it('starts every service ready on its own ports, supervises it, and cleans up', async (t) => {
    const lab = await startTestLab('runner');
    let disposed = false;
    t.after(async () => {
      if (!disposed) await lab.dispose();
    });

    for (const url of [lab.urls.gateway, lab.urls.ordersOps, lab.urls.fulfillmentOps, lab.urls.notifications]) {
      const res = await fetch(`${url}/readyz`);
      assert.equal(res.status, 200, `${url}/readyz`);
    }
    // Its own vhost, which orders and notifications connect to, and its own notifications database.
    assert.match(lab.rabbitmq.vhost, /^t_runner_[0-9a-f]{8}$/);
    assert.ok((await vhosts()).includes(lab.rabbitmq.vhost));
    assert.equal(lab.rabbitmq.url, `amqp://guest:guest@127.0.0.1:5672/${lab.rabbitmq.vhost}`);
    await waitFor(
      async () => (await rabbitmqctl('list_connections', '--no-table-headers', 'vhost')).split('\n').filter((l) => l.trim() === lab.rabbitmq.vhost).length >= 2,
      20_000,
      'orders and notifications to connect to the lab\'s vhost',
    );
    assert.match(lab.databases.notifications.name, /^t_runner_[0-9a-f]{8}_notifications$/);
    const products = await fetch(`${lab.urls.gateway}/api/v1/products?limit=1`);
    assert.equal(products.status, 200);
    assert.equal(((await products.json()) as { items: unknown[] }).items.length, 1, 'the catalog is seeded');
    // The edge (Nginx) is in front, on its own port, logging JSON access lines with the request id.
    assert.deepEqual(lab.enabled, LAB_SERVICES.filter((s) => s !== 'traffic'), 'a test lab runs no traffic unless asked');
    const viaEdge = await fetch(`${lab.urls.edge}/api/v1/products?limit=1`);
    assert.equal(viaEdge.status, 200);
    const edgeRequestId = viaEdge.headers.get('x-request-id');
    assert.match(edgeRequestId ?? '', /^[0-9a-f]{32}$/, 'the edge made a request id');
    await waitFor(() => lab.logLines('edge').some((l) => l.request_id === edgeRequestId && l.status === 200), 10_000, 'the edge access log line');
    for (const service of lab.enabled.filter((s) => s !== 'edge')) {
      assert.ok(
        lab.logLines(service).some((line) => line.service === service),
        `${service}'s JSON log lines are in ${lab.logFile(service)}`,
      );
    }

    // A crash is restarted by the supervisor; an explicit kill stays down until restart().
    const ordersPid = lab.services.orders.pid ?? 0;
    await lab.kill('orders', 'SIGKILL', { autoRestart: true });
    await waitFor(() => lab.services.orders.restarts === 1, 20_000, 'orders to be restarted').catch((err: Error) => {
      // Seen once under a loaded full run: say what the supervisor saw, so the cause can be found.
      const { restarts, running, lastExit } = lab.services.orders;
      throw new Error(`${err.message} (restarts ${restarts}, running ${running}, last exit ${JSON.stringify(lastExit)})`);
    });
    await lab.waitReady('orders');
    assert.notEqual(lab.services.orders.pid, ordersPid);

    await lab.kill('fulfillment', 'SIGKILL');
    assert.equal(lab.services.fulfillment.running, false);
    await assert.rejects(fetch(`${lab.urls.fulfillmentOps}/readyz`));
    await lab.restart('fulfillment');
    assert.equal((await fetch(`${lab.urls.fulfillmentOps}/readyz`)).status, 200);

    const pids = lab.enabled.map((s) => lab.services[s].pid ?? 0);
    assert.ok(pids.every((pid) => pid > 0));
    await lab.dispose();
    disposed = true;
    assert.deepEqual(pids.map(alive), lab.enabled.map(() => false), 'every service exited');
    assert.ok(!(await vhosts()).includes(lab.rabbitmq.vhost), 'the lab\'s RabbitMQ vhost is deleted');
    assert.ok(
      lab.logLines('gateway').length === 0 && !existsSync(lab.logsDir),
      'an ephemeral lab removes its log folder',
    );
    for (const service of DATABASE_SERVICES) {
      const db = await describeServiceDatabase(pgAdminUrl(), { name: lab.databases[service].name, role: service });
      assert.equal(db.databaseOwner, undefined, `the ${service} database is dropped`);
    }
  });
});
