/**
 * A bare HTTP sink for the traffic generator's accuracy benchmark: answers every request at once
 * with a small JSON body, keeps connections alive. Run as its own process (so it does not share
 * the generator's event loop); prints its port.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = '{"items":[],"nextCursor":null}';

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
    res.end(BODY);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
