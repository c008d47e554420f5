/** Column prefixes that line up the runner's and every service's output on a terminal. */

const WIDTH = 'notifications'.length;

/** ANSI colours per service name, so each one's lines are told apart at a glance. */
const COLORS: Record<string, string> = {
  lab: '\x1b[1m',
  gateway: '\x1b[36m',
  orders: '\x1b[35m',
  fulfillment: '\x1b[33m',
  notifications: '\x1b[32m',
};
const FALLBACK_COLORS = ['\x1b[34m', '\x1b[32m', '\x1b[36m', '\x1b[35m'];

/** `name        | ` padded to a common width, coloured when asked. */
export function label(name: string, color: boolean): string {
  const text = `${name.padEnd(WIDTH)} | `;
  if (!color) return text;
  const code = COLORS[name] ?? FALLBACK_COLORS[[...name].reduce((sum, ch) => sum + ch.charCodeAt(0), 0) % FALLBACK_COLORS.length];
  return `${code}${text}\x1b[0m`;
}
