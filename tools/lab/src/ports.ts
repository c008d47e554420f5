/** Port helpers: a free port for tests, and a clear refusal when a lab port is taken. */
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * n distinct ports on 127.0.0.1 that were free a moment ago. Calling freePort() n times can
 * return one port twice (the OS may hand a just-closed port out again); a configuration given
 * the same port for two listeners still starts, and then answers on the wrong one.
 */
export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** True when something already listens on 127.0.0.1:port (or we may not bind it). */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(true));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** Thrown by startLab when a port it needs is taken. */
export class PortInUseError extends Error {
  constructor(readonly port: number, readonly purpose: string) {
    super(`port ${port} (${purpose}) in use — is another lab running? Stop it, or free the port.`);
    this.name = 'PortInUseError';
  }
}

/** Rejects with PortInUseError naming the first taken port. */
export async function assertPortsFree(ports: Record<string, number>): Promise<void> {
  for (const [purpose, port] of Object.entries(ports)) {
    if (await portInUse(port)) throw new PortInUseError(port, purpose);
  }
}
