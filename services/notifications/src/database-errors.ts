/** Tells a database outage from a bug, so the API answers 503 (retry) rather than 500. No I/O. */

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

/**
 * True for faults of the database rather than of the query: unreachable, shutting down, out
 * of connections, timed out. Anything else (a constraint, a syntax error) is a bug or bad data.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  const state = typeof code === 'string' ? code : '';
  return (
    NETWORK_ERRORS.has(state) ||
    state.startsWith('08') || // connection exceptions
    state.startsWith('53') || // insufficient resources (too many connections)
    state === '57014' || // statement timeout
    state === '57P01' || state === '57P02' || state === '57P03' || // shutting down / starting up
    state === '3D000' || // the database does not exist (yet)
    /timeout exceeded when trying to connect|Connection terminated|connection (is )?closed|Client has encountered a connection error/i.test(err.message)
  );
}
