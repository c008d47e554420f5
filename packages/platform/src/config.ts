/** Environment configuration: one TypeBox schema per service, parsed once at start-up. */
import Type, { type Static, type TObject, type TProperties } from 'typebox';
import Value from 'typebox/value';

/** Variables every service understands; spread into a service's own schema. */
export const commonConfig = {
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ) as unknown as ReturnType<typeof Type.String>,
  HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100, maximum: 120_000 }),
  /** false: no /metrics route and nothing recorded (docs/metrics.md). */
  METRICS_ENABLED: Type.Boolean({ default: true }),
} satisfies TProperties;

/** Thrown by parseConfig; its message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration: ${issues.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses env against schema: defaults, string conversion, validation of all variables at once. */
export function parseConfig<T extends TObject>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
): Static<T> {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    // An empty variable counts as unset, so `FOO=` in a .env file means "use the default".
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Convert(schema, Value.Default(schema, raw)) as Record<string, unknown>;
  const issues: string[] = [];
  // Checked one variable at a time so that every bad one is reported, not just the first.
  for (const [name, property] of Object.entries(schema.properties)) {
    const value = converted[name];
    if (value === undefined) {
      if ((schema.required ?? []).includes(name)) issues.push(`${name} is required`);
      continue;
    }
    const [error] = Value.Errors(property, value);
    if (error) issues.push(`${name} ${describe(property) ?? error.message} (got ${JSON.stringify(raw[name])})`);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return converted as Static<T>;
}

/** "must be one of a, b, c" for a union of literals, whose generic message is unhelpful. */
function describe(property: unknown): string | undefined {
  const anyOf = (property as { anyOf?: { const?: unknown }[] }).anyOf;
  if (!anyOf?.every((s) => s.const !== undefined)) return undefined;
  return `must be one of ${anyOf.map((s) => String(s.const)).join(', ')}`;
}

/** parseConfig, or one line on stderr naming every bad variable and exit 1. */
export function loadConfig<T extends TObject>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
): Static<T> {
  try {
    return parseConfig(schema, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
