/**
 * A small LogQL parser for the static checks of the Compose logs profile (compose-logs.test.ts):
 * it accepts the part of LogQL the lab's dashboards and Grafana links write, and rejects a
 * malformed query with the position and what was expected, so a typo in a dashboard fails a
 * test instead of a panel. There is no Loki in CI to ask; Loki's own parser (Go, goyacc) would
 * need one.
 *
 * Covered: stream selectors `{label="v", …}` with = != =~ !~ (at least one matcher that cannot
 * match the empty string, as Loki requires); line filters |= != |~ !~ (regexes compiled);
 * the stages `| json`, `| logfmt`, `| regexp`, `| pattern`, `| line_format`, `| label_format`,
 * `| drop`, `| keep`, `| decolorize` and label filters (= != =~ !~ == > >= < <= on strings,
 * numbers, durations and byte sizes, joined by and / or / `,`, in parentheses); metric queries
 * rate, count_over_time, bytes_rate, bytes_over_time and absent_over_time over `[range]`,
 * aggregations (sum, avg, min, max, count, stddev, stdvar, topk, bottomk) with by / without,
 * arithmetic and comparisons between them. A range is a duration or one of Grafana's
 * $__auto, $__interval and $__range. Not covered (rejected): unwrap and its functions, offset,
 * vector matching (on / ignoring), label_replace.
 */

/** One label matcher of a stream selector. */
export interface StreamMatcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** What a query is made of, as far as the checks need. */
export interface ParsedLogQL {
  /** `log`: it returns lines; `metric`: a time series. */
  kind: 'log' | 'metric';
  /** The matchers of every stream selector in the query. */
  selectors: StreamMatcher[][];
  /** Labels the query groups by (by (…) / without (…)). */
  grouping: string[];
}

/** A query LogQL does not accept: where, and what was wrong. */
export class LogQLSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at ${position}`);
    this.name = 'LogQLSyntaxError';
  }
}

/** Grafana's range variables a Loki query may use instead of a duration. */
export const GRAFANA_RANGE_VARIABLES = ['$__auto', '$__interval', '$__range'] as const;

type TokenKind = 'punct' | 'string' | 'number' | 'ident' | 'variable' | 'eof';
interface Token {
  kind: TokenKind;
  text: string;
  /** A string's value, escapes resolved. */
  value?: string;
  pos: number;
}

const PUNCTUATION = ['|=', '|~', '!=', '!~', '=~', '==', '>=', '<=', '{', '}', '(', ')', '[', ']', ',', '|', '=', '>', '<', '+', '-', '*', '/', '%', '^'];
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w|y))+$/;
const BYTES = /^\d+(\.\d+)?([KMGTPE]i?)?B$/;
const NUMBER = /^\d+(\.\d+)?([eE][+-]?\d+)?$/;
const IDENT = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === '`') {
      const start = i;
      let value = '';
      i++;
      while (i < text.length && text[i] !== c) {
        if (c === '"' && text[i] === '\\') {
          const next = text[i + 1];
          if (next === undefined) break;
          value += { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' }[next] ?? `\\${next}`;
          i += 2;
          continue;
        }
        value += text[i];
        i++;
      }
      if (i >= text.length) throw new LogQLSyntaxError('unterminated string', start);
      i++;
      tokens.push({ kind: 'string', text: text.slice(start, i), value, pos: start });
      continue;
    }
    if (c === '$') {
      const match = /^\$\{?(__[a-z_]+)\}?/.exec(text.slice(i));
      if (!match) throw new LogQLSyntaxError(`unexpected "$"`, i);
      tokens.push({ kind: 'variable', text: `$${match[1]!}`, pos: i });
      i += match[0].length;
      continue;
    }
    const word = /^[a-zA-Z0-9_.µ]+/.exec(text.slice(i));
    if (word) {
      const w = word[0];
      const kind: TokenKind = /^\d/.test(w) ? 'number' : 'ident';
      if (kind === 'number' && !(NUMBER.test(w) || DURATION.test(w) || BYTES.test(w))) throw new LogQLSyntaxError(`"${w}" is not a number, duration or byte size`, i);
      if (kind === 'ident' && !IDENT.test(w)) throw new LogQLSyntaxError(`"${w}" is not a name`, i);
      tokens.push({ kind, text: w, pos: i });
      i += w.length;
      continue;
    }
    const punct = PUNCTUATION.find((p) => text.startsWith(p, i));
    if (!punct) throw new LogQLSyntaxError(`unexpected "${c}"`, i);
    tokens.push({ kind: 'punct', text: punct, pos: i });
    i += punct.length;
  }
  tokens.push({ kind: 'eof', text: '', pos: text.length });
  return tokens;
}

const RANGE_FUNCTIONS = new Set(['rate', 'count_over_time', 'bytes_rate', 'bytes_over_time', 'absent_over_time']);
const AGGREGATIONS = new Set(['sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'topk', 'bottomk']);
const WITH_PARAMETER = new Set(['topk', 'bottomk']);
const BINARY = [['or'], ['and', 'unless'], ['==', '!=', '>', '>=', '<', '<='], ['+', '-'], ['*', '/', '%'], ['^']];
const LABEL_FILTER_OPS = new Set(['=', '!=', '=~', '!~', '==', '>', '>=', '<', '<=']);
const LINE_FILTER_OPS = new Set(['|=', '!=', '|~', '!~']);

/** A RE2 regex is close enough to a JavaScript one for the lab's patterns: compile it, or fail. */
function compileRegex(pattern: string, pos: number): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (err) {
    throw new LogQLSyntaxError(`invalid regular expression ${JSON.stringify(pattern)} (${(err as Error).message})`, pos);
  }
}

/** A line_format / label_format template: each `{{` closed by a `}}` before the next opens, none empty. */
function checkTemplate(template: string, pos: number): void {
  let open = false;
  let inside = '';
  for (let i = 0; i < template.length; i++) {
    const pair = template.slice(i, i + 2);
    if (pair === '{{' || pair === '}}') {
      if ((pair === '{{') === open || (pair === '}}' && inside.trim() === '')) throw new LogQLSyntaxError(`unbalanced or empty {{ }} in template ${JSON.stringify(template)}`, pos);
      open = pair === '{{';
      inside = '';
      i++;
      continue;
    }
    if (open) inside += template[i];
  }
  if (open) throw new LogQLSyntaxError(`unclosed {{ in template ${JSON.stringify(template)}`, pos);
}

class Parser {
  private i = 0;
  readonly selectors: StreamMatcher[][] = [];
  readonly grouping: string[] = [];

  constructor(private readonly tokens: Token[]) {}

  private get peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    return this.tokens[this.i++]!;
  }

  private is(text: string, kind: TokenKind = 'punct'): boolean {
    return this.peek.kind === kind && this.peek.text === text;
  }

  private accept(text: string, kind: TokenKind = 'punct'): boolean {
    if (!this.is(text, kind)) return false;
    this.i++;
    return true;
  }

  private expect(text: string, kind: TokenKind = 'punct'): Token {
    if (!this.is(text, kind)) this.fail(`expected "${text}"`);
    return this.next();
  }

  private expectKind(kind: TokenKind, what: string): Token {
    if (this.peek.kind !== kind) this.fail(`expected ${what}`);
    return this.next();
  }

  private fail(message: string): never {
    const found = this.peek.kind === 'eof' ? 'the end' : `"${this.peek.text}"`;
    throw new LogQLSyntaxError(`${message}, found ${found}`, this.peek.pos);
  }

  /** The whole query. */
  query(): 'log' | 'metric' {
    const kind = this.is('{') ? (this.logQuery(), 'log' as const) : (this.metric(0), 'metric' as const);
    if (this.peek.kind !== 'eof') this.fail('expected the end of the query');
    return kind;
  }

  /** selector, then line filters and stages. */
  private logQuery(): void {
    this.selector();
    this.pipeline();
  }

  private selector(): void {
    const start = this.expect('{');
    const matchers: StreamMatcher[] = [];
    while (!this.is('}')) {
      const label = this.expectKind('ident', 'a label name').text;
      const op = this.peek.text;
      if (this.peek.kind !== 'punct' || !['=', '!=', '=~', '!~'].includes(op)) this.fail(`expected = != =~ or !~ after ${label}`);
      this.next();
      const value = this.expectKind('string', 'a quoted value');
      if (op.endsWith('~')) compileRegex(value.value!, value.pos);
      matchers.push({ label, op: op as StreamMatcher['op'], value: value.value! });
      if (!this.accept(',')) break;
    }
    this.expect('}');
    if (matchers.length === 0) throw new LogQLSyntaxError('a stream selector needs at least one matcher', start.pos);
    // Loki refuses a selector every stream matches: one matcher must rule out the empty value.
    const narrows = matchers.some((m) => (m.op === '=' && m.value !== '') || (m.op === '=~' && !compileRegex(m.value, start.pos).test('')));
    if (!narrows) throw new LogQLSyntaxError('a stream selector needs a matcher that does not match the empty value (= "x" or =~ "x.*")', start.pos);
    this.selectors.push(matchers);
  }

  /** Line filters and `| stage`s, until something else. */
  private pipeline(): void {
    for (;;) {
      if (LINE_FILTER_OPS.has(this.peek.text) && this.peek.kind === 'punct') {
        const op = this.next().text;
        const value = this.expectKind('string', `a quoted string after ${op}`);
        if (op.endsWith('~')) compileRegex(value.value!, value.pos);
        continue;
      }
      if (!this.accept('|')) return;
      this.stage();
    }
  }

  private stage(): void {
    const token = this.peek;
    if (token.kind !== 'ident' && !this.is('(')) this.fail('expected a parser, a format stage or a label filter after "|"');
    const name = token.kind === 'ident' ? token.text : '(';
    const following = this.tokens[this.i + 1]!;
    const isFilter = name === '(' || (following.kind === 'punct' && LABEL_FILTER_OPS.has(following.text));
    if (isFilter) {
      this.labelFilter();
      return;
    }
    this.next();
    switch (name) {
      case 'json':
        // `| json` or `| json field="path", other`
        if (this.peek.kind === 'ident') this.extractionList();
        return;
      case 'logfmt':
        while (this.is('-') && this.tokens[this.i + 1]?.text === '-') {
          this.next();
          this.next();
          const flag = this.expectKind('ident', 'a logfmt flag').text;
          if (flag !== 'strict' && flag !== 'keep_empty') this.fail(`unknown logfmt flag --${flag}`);
        }
        if (this.peek.kind === 'ident') this.extractionList();
        return;
      case 'regexp': {
        const pattern = this.expectKind('string', 'a quoted regular expression');
        const regex = compileRegex(pattern.value!, pattern.pos);
        if (!/\(\?P?<[a-zA-Z_]/.test(regex.source)) throw new LogQLSyntaxError('| regexp needs a named capture group', pattern.pos);
        return;
      }
      case 'pattern': {
        const pattern = this.expectKind('string', 'a quoted pattern');
        if (!/<[a-zA-Z_]\w*>/.test(pattern.value!)) throw new LogQLSyntaxError('| pattern needs a <capture>', pattern.pos);
        return;
      }
      case 'line_format': {
        const template = this.expectKind('string', 'a quoted template');
        checkTemplate(template.value!, template.pos);
        return;
      }
      case 'label_format':
        do {
          this.expectKind('ident', 'a label name');
          this.expect('=');
          if (this.peek.kind === 'string') checkTemplate(this.next().value!, this.tokens[this.i - 1]!.pos);
          else this.expectKind('ident', 'a label name or a quoted template');
        } while (this.accept(','));
        return;
      case 'drop':
      case 'keep':
        do {
          this.expectKind('ident', 'a label name');
          if (this.peek.kind === 'punct' && ['=', '!=', '=~', '!~'].includes(this.peek.text)) {
            this.next();
            this.expectKind('string', 'a quoted value');
          }
        } while (this.accept(','));
        return;
      case 'decolorize':
      case 'unpack':
        return;
      default:
        throw new LogQLSyntaxError(`unknown stage "${name}"`, token.pos);
    }
  }

  /** `field`, `field="json.path"`, …, after json or logfmt. */
  private extractionList(): void {
    do {
      this.expectKind('ident', 'a label name');
      if (this.accept('=')) this.expectKind('string', 'a quoted expression');
    } while (this.accept(','));
  }

  private labelFilter(): void {
    this.labelAnd();
    while (this.accept('or', 'ident')) this.labelAnd();
  }

  private labelAnd(): void {
    this.labelPrimary();
    while (this.accept('and', 'ident') || this.accept(',')) this.labelPrimary();
  }

  private labelPrimary(): void {
    if (this.accept('(')) {
      this.labelFilter();
      this.expect(')');
      return;
    }
    const label = this.expectKind('ident', 'a label name');
    const op = this.peek;
    if (op.kind !== 'punct' || !LABEL_FILTER_OPS.has(op.text)) this.fail(`expected a comparison after ${label.text}`);
    this.next();
    const value = this.peek;
    if (value.kind === 'string') {
      if (op.text.endsWith('~')) compileRegex(value.value!, value.pos);
      else if (!['=', '!=', '=='].includes(op.text)) this.fail(`${op.text} compares numbers, durations or byte sizes, not a string`);
      this.next();
      return;
    }
    if (value.kind === 'number') {
      if (op.text.endsWith('~')) this.fail(`${op.text} needs a quoted regular expression`);
      this.next();
      return;
    }
    this.fail(`expected a value after ${label.text} ${op.text}`);
  }

  /** A metric expression with binary operators, by precedence (lowest first). */
  private metric(level: number): void {
    if (level === BINARY.length) {
      this.unary();
      return;
    }
    this.metric(level + 1);
    for (;;) {
      const op = this.peek;
      const ops = BINARY[level]!;
      if (!ops.includes(op.text) || (op.kind !== 'punct' && op.kind !== 'ident')) return;
      this.next();
      this.accept('bool', 'ident');
      this.metric(level + 1);
    }
  }

  private unary(): void {
    if (this.accept('-') || this.accept('+')) {
      this.unary();
      return;
    }
    if (this.peek.kind === 'number') {
      if (!NUMBER.test(this.peek.text)) this.fail('expected a plain number');
      this.next();
      return;
    }
    if (this.accept('(')) {
      this.metric(0);
      this.expect(')');
      return;
    }
    const name = this.expectKind('ident', 'a LogQL function or aggregation');
    if (RANGE_FUNCTIONS.has(name.text)) {
      this.expect('(');
      this.rangeQuery();
      this.expect(')');
      return;
    }
    if (AGGREGATIONS.has(name.text)) {
      const before = this.groupingClause();
      this.expect('(');
      if (WITH_PARAMETER.has(name.text)) {
        this.expectKind('number', `${name.text}'s number of series`);
        this.expect(',');
      }
      this.metric(0);
      this.expect(')');
      const after = this.groupingClause();
      if (before && after) this.fail('by / without given twice');
      return;
    }
    throw new LogQLSyntaxError(`unknown function "${name.text}"`, name.pos);
  }

  /** `{…} pipeline [range]`, or the older `{…}[range] pipeline`. */
  private rangeQuery(): void {
    this.selector();
    if (this.is('[')) {
      this.range();
      this.pipeline();
      return;
    }
    this.pipeline();
    this.range();
  }

  private range(): void {
    this.expect('[');
    const token = this.next();
    const ok = (token.kind === 'number' && DURATION.test(token.text)) || (token.kind === 'variable' && (GRAFANA_RANGE_VARIABLES as readonly string[]).includes(token.text));
    if (!ok) {
      this.i--;
      this.fail(`expected a duration or one of ${GRAFANA_RANGE_VARIABLES.join(', ')} in [ ]`);
    }
    this.expect(']');
  }

  private groupingClause(): boolean {
    if (!this.is('by', 'ident') && !this.is('without', 'ident')) return false;
    this.next();
    this.expect('(');
    do this.grouping.push(this.expectKind('ident', 'a label name').text);
    while (this.accept(','));
    this.expect(')');
    return true;
  }
}

/** Parses a LogQL query; throws a LogQLSyntaxError when LogQL does not accept it. */
export function parseLogQL(query: string): ParsedLogQL {
  const parser = new Parser(tokenize(query));
  const kind = parser.query();
  return { kind, selectors: parser.selectors, grouping: parser.grouping };
}

/** The error message for a malformed query, or undefined when it parses. */
export function logqlError(query: string): string | undefined {
  try {
    parseLogQL(query);
    return undefined;
  } catch (err) {
    if (err instanceof LogQLSyntaxError) return err.message;
    throw err;
  }
}
