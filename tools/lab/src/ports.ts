/** Port helpers: free ports for tests, and a clear refusal when a lab port is taken. */
import { closeSync, mkdirSync, openSync, statSync, utimesSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where test ports are picked: below Linux's ephemeral range (32768–60999 by default), which the
 * kernel hands to outgoing connections and to `listen(0)`. A port picked there could be taken
 * by any connection of any process between the pick and the child's bind (an edge failed that
 * way once: "bind() … Address already in use"); below it only an explicit bind takes a port.
 */
const PICK_FROM = 20_000;
const PICK_BELOW = 32_768;
/** Ports handed out by any process on this machine (one empty file per port, by its mtime). */
const RESERVATIONS = join(tmpdir(), 'orderlab-ports');
/** A reservation protects a port this long: a test lab binds its ports within seconds. */
const RESERVED_MS = 15 * 60_000;
/** Tries before giving up (the range holds 12,768 ports). */
const MAX_TRIES = 2_000;

/** This process's ports, never handed out twice. */
const handedOut = new Set<number>();

/** Claims port for RESERVED_MS across processes: false when another process holds it. */
function reserve(port: number): boolean {
  const file = join(RESERVATIONS, String(port));
  try {
    closeSync(openSync(file, 'wx'));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  try {
    if (Date.now() - statSync(file).mtimeMs < RESERVED_MS) return false;
    // A stale reservation: take it over (the race with another taker is settled by the bind check).
    const now = new Date();
    utimesSync(file, now, now);
    return true;
  } catch {
    return false;
  }
}

/**
 * A TCP port on 127.0.0.1 that is free, outside the ephemeral range, and handed out to no other
 * caller on this machine in the last RESERVED_MS — so that parallel test labs never get the same
 * port, and no outgoing connection takes it before the lab binds it.
 */
export async function freePort(): Promise<number> {
  mkdirSync(RESERVATIONS, { recursive: true });
  for (let i = 0; i < MAX_TRIES; i++) {
    const port = PICK_FROM + Math.floor(Math.random() * (PICK_BELOW - PICK_FROM));
    if (handedOut.has(port) || !reserve(port)) continue;
    if (await portInUse(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port between ${PICK_FROM} and ${PICK_BELOW} after ${MAX_TRIES} tries`);
}

/** n distinct ports on 127.0.0.1, each as freePort() gives them. */
export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) ports.push(await freePort());
  return ports;
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
