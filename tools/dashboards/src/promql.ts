/**
 * PromQL for the dashboards: small helpers that spell the lab's recurring shapes the same way
 * everywhere (rate over `$__rate_interval`, quantiles from histogram buckets, error ratios that
 * read 0 instead of "No data"), the Grafana-macro substitution that turns a panel query into
 * one Prometheus can run, and a syntax check with Prometheus's own lezer grammar.
 */
import { parser } from '@prometheus-io/lezer-promql';

/** Grafana's rate window: at least four scrape intervals, so rate() always has two samples. */
export const RATE = '$__rate_interval';

/** `rate(metric{selector}[$__rate_interval])`. */
export function rate(metric: string, selector = ''): string {
  return `rate(${metric}${braces(selector)}[${RATE}])`;
}

/** `sum by (labels) (rate(…))`, or `sum(rate(…))` without labels. */
export function sumRate(metric: string, selector = '', by: string[] = []): string {
  return `${sumBy(by)} (${rate(metric, selector)})`;
}

/**
 * The q-quantile of a histogram over `$__rate_interval`, per `by` labels:
 * `histogram_quantile(q, sum by (le, …) (rate(<histogram>_bucket{…}[…])))`.
 */
export function quantile(q: number, histogram: string, selector = '', by: string[] = []): string {
  return `histogram_quantile(${q}, sum by (${['le', ...by].join(', ')}) (${rate(`${histogram}_bucket`, selector)}))`;
}

/**
 * The share of a histogram's (or counter's) events matching `bad`, per `by` labels. Where no
 * event was bad the ratio is 0 rather than missing (`or 0 * total`), so an error panel shows a
 * flat zero, not "No data", whenever there is traffic.
 */
export function ratio(counter: string, selector: string, bad: string, by: string[] = [], window = RATE): string {
  const all = `${sumBy(by)} (rate(${counter}${braces(selector)}[${window}]))`;
  const errors = `${sumBy(by)} (rate(${counter}${braces(join(selector, bad))}[${window}]))`;
  return `(${errors} or 0 * ${all}) / ${all}`;
}

/** Two selectors as one: `job="x"` + `code=~"5.."` → `job="x", code=~"5.."`. */
export function join(...selectors: string[]): string {
  return selectors.filter((s) => s !== '').join(', ');
}

function braces(selector: string): string {
  return selector === '' ? '' : `{${selector}}`;
}

function sumBy(by: string[]): string {
  return by.length === 0 ? 'sum' : `sum by (${by.join(', ')})`;
}

/**
 * gRPC status codes that mean the server failed (the OpenTelemetry semantic conventions'
 * server-error list); NOT_FOUND, INVALID_ARGUMENT … are the caller's errors.
 */
export const GRPC_SERVER_ERRORS = 'rpc_status_code=~"UNKNOWN|DEADLINE_EXCEEDED|UNIMPLEMENTED|INTERNAL|UNAVAILABLE|DATA_LOSS"';
/** HTTP answers that count against availability: every 5xx, the gateway's 503 sheds included. */
export const HTTP_SERVER_ERRORS = 'http_response_status_code=~"5.."';

/** Values the live check gives Grafana's macros: a 1 m rate window fits a 15 s scrape. */
export const MACRO_VALUES = { $__rate_interval: '1m', $__interval: '15s', $__range: '5m', $__auto: '5m' } as const;

/**
 * A panel query as Prometheus's HTTP API takes it (`/api/v1/query`): Grafana's macros replaced
 * by MACRO_VALUES, and every dashboard variable (`$job`, `${job}`, `[[job]]`) by `vars[name]`,
 * else `.+`. A `$` followed by a digit is label_replace's capture group (`$1`), not a variable. Variables only ever appear in `=~` matchers (a test checks it), so `.+` means
 * "every value", like Grafana's "All".
 */
export function toInstantQuery(expr: string, vars: Record<string, string> = {}): string {
  let out = expr;
  for (const [macro, value] of Object.entries(MACRO_VALUES)) out = out.split(macro).join(value);
  return out.replace(/\$\{([A-Za-z_]\w*)(?::\w+)?\}|\[\[([A-Za-z_]\w*)\]\]|\$([A-Za-z_]\w*)/g, (_, a?: string, b?: string, c?: string) => vars[(a ?? b ?? c)!] ?? '.+');
}

/** A syntax error the grammar found: where, and the text around it. */
export interface SyntaxProblem {
  at: number;
  near: string;
}

/**
 * PromQL syntax errors according to `@prometheus-io/lezer-promql` (Prometheus's UI grammar):
 * the error nodes (`⚠`) of the parse tree. Syntax only; arity and types are left to Prometheus.
 * Grafana macros must be substituted first (toInstantQuery): `$__rate_interval` is an error.
 */
export function syntaxErrors(expr: string): SyntaxProblem[] {
  const problems: SyntaxProblem[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) problems.push({ at: node.from, near: expr.slice(Math.max(0, node.from - 20), node.from + 20) });
    },
  });
  return problems;
}

/** Every metric name a query selects (the identifier of each vector selector), sorted, once each. */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  parser.parse(expr).iterate({
    enter(node) {
      if (node.name !== 'VectorSelector') return;
      const identifier = node.node.getChild('Identifier');
      if (identifier) names.add(expr.slice(identifier.from, identifier.to));
    },
  });
  return [...names].sort();
}

/** The label names a query matches on inside selectors, with the matcher used (`=`, `=~` …). */
export function labelMatchers(expr: string): { label: string; op: string; value: string }[] {
  const found: { label: string; op: string; value: string }[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.name !== 'UnquotedLabelMatcher') return;
      const label = node.node.getChild('LabelName');
      const op = node.node.getChild('MatchOp');
      const value = node.node.getChild('StringLiteral');
      if (label && op && value) found.push({ label: expr.slice(label.from, label.to), op: expr.slice(op.from, op.to), value: expr.slice(value.from + 1, value.to - 1) });
    },
  });
  return found;
}
