/**
 * "Does the real server answer here?" for the data stores: a Postgres query, a Redis PING and
 * the AMQP 0-9-1 handshake's first frame, each bounded by PROBE_TIMEOUT_MS. An open port alone
 * is not enough (another program may hold it).
 */
import { connect } from 'node:net';
import pg from 'pg';

/** Host and port a server is expected at. */
export interface Address {
  host: string;
  port: number;
}

/** Why a probe failed; `code` is the socket error code, PROBE_TIMEOUT or BAD_REPLY. */
export class ProbeError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ProbeError';
  }
}

const PROBE_TIMEOUT_MS = 2_000;

/** Errors that mean "nothing answers there" (so starting the server may help). */
export const DOWN_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'PROBE_TIMEOUT', '57P03']);

/** Any thrown value as a ProbeError. */
export function asProbeError(err: unknown): ProbeError {
  if (err instanceof ProbeError) return err;
  const e = err as { code?: string; message?: string };
  const message = e.message || e.code || String(err);
  // pg reports a connect timeout as a plain Error.
  const code = e.code ?? (/timeout/i.test(message) ? 'PROBE_TIMEOUT' : 'UNKNOWN');
  return new ProbeError(message, code);
}

/** Opens a connection, sends `send` and settles when `accept` judges the first reply (true: up). */
function socketProbe(address: Address, send: Buffer | string, accept: (reply: Buffer) => boolean | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.host, port: address.port });
    let reply = Buffer.alloc(0);
    const done = (err?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => done(new ProbeError(`no answer within ${PROBE_TIMEOUT_MS} ms`, 'PROBE_TIMEOUT')), PROBE_TIMEOUT_MS);
    socket.on('error', (err) => done(asProbeError(err)));
    socket.on('connect', () => socket.write(send));
    socket.on('data', (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      const verdict = accept(reply);
      if (verdict === undefined) return; // wants more bytes
      if (verdict) done();
      else done(new ProbeError(`not ${what} (reply starts ${JSON.stringify(reply.subarray(0, 8).toString('latin1'))})`, 'BAD_REPLY'));
    });
    socket.on('end', () => done(new ProbeError('connection closed without an answer', 'ECONNRESET')));
  });
}

/** Connects with the superuser URL (pointed at `address`) and runs SELECT 1. */
export async function probePostgres(address: Address, adminUrl: string): Promise<void> {
  const url = new URL(adminUrl);
  url.hostname = address.host;
  url.port = String(address.port);
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  // A failed connect also emits 'error'; without a listener it would crash the runner.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw asProbeError(err);
  } finally {
    await client.end().catch(() => {});
  }
}

/** PING must answer +PONG (a Redis still loading its AOF answers -LOADING: not up yet). */
export function probeRedis(address: Address): Promise<void> {
  return socketProbe(address, 'PING\r\n', (reply) => (reply.includes('\r\n') ? reply.toString('latin1').startsWith('+PONG') : undefined), 'Redis answering PONG');
}

/** AMQP 0-9-1 protocol header; a broker answers with a Connection.Start method frame (type 1). */
const AMQP_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

/** Sends the AMQP protocol header and waits for the broker's first frame. */
export function probeAmqp(address: Address): Promise<void> {
  return socketProbe(address, AMQP_HEADER, (reply) => reply[0] === 1, 'an AMQP 0-9-1 broker');
}
