/**
 * Reads what the logs checks need out of an Alloy configuration (deploy/alloy/config.alloy):
 * its blocks, string attributes, map keys and environment variables. Not a parser of the
 * Alloy syntax, a reader of the plain shapes the lab's file uses: `name "label" { … }`,
 * `attr = "v"`, `attr = ["a", "b"]`, `attr = { key = "", … }`, `sys.env("NAME")`.
 */

/** One block: `name "label" { body }` (label empty when there is none). */
export interface AlloyBlock {
  label: string;
  body: string;
}

/** The text without // and /* *\/ comments (a "//" inside a string, as in unix:///…, stays). */
export function withoutComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The index just after the string that starts (with ") at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** The index of the } that closes the { at `open`, strings skipped. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      i = stringEnd(text, i) - 1;
    } else if (c === '{') {
      depth++;
    } else if (c === '}' && --depth === 0) {
      return i;
    }
  }
  throw new Error(`unbalanced { at ${open}`);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every block called `name` directly or deeper inside `text` (comments ignored). */
export function alloyBlocks(text: string, name: string): AlloyBlock[] {
  const source = withoutComments(text);
  const pattern = new RegExp(`(?:^|[\\s{])${escape(name)}\\s*(?:"([^"]*)"\\s*)?\\{`, 'g');
  const blocks: AlloyBlock[] = [];
  for (const match of source.matchAll(pattern)) {
    const open = match.index + match[0].length - 1;
    blocks.push({ label: match[1] ?? '', body: source.slice(open + 1, closingBrace(source, open)) });
  }
  return blocks;
}

/** The strings of `attr = "v"` or `attr = ["a", "b"]` in `body`. */
export function alloyStrings(body: string, attr: string): string[] {
  const source = withoutComments(body);
  const pattern = new RegExp(`(?:^|\\s)${escape(attr)}\\s*=\\s*(\\[[^\\]]*\\]|"(?:[^"\\\\]|\\\\.)*")`, 'g');
  return [...source.matchAll(pattern)].flatMap((m) => [...m[1]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((s) => JSON.parse(`"${s[1]!}"`) as string));
}

/** The keys of `attr = { key = …, … }` in `body`. */
export function alloyMapKeys(body: string, attr: string): string[] {
  const source = withoutComments(body);
  const pattern = new RegExp(`(?:^|\\s)${escape(attr)}\\s*=\\s*\\{`, 'g');
  return [...source.matchAll(pattern)].flatMap((m) => {
    const open = m.index + m[0].length - 1;
    const inner = source.slice(open + 1, closingBrace(source, open));
    return [...inner.matchAll(/(?:^|[\s,])([a-zA-Z_][a-zA-Z0-9_]*)\s*=/g)].map((k) => k[1]!);
  });
}

/** The environment variables the configuration reads with sys.env("NAME"). */
export function alloyEnvVariables(text: string): string[] {
  return [...new Set([...withoutComments(text).matchAll(/\bsys\.env\("([A-Z][A-Z0-9_]*)"\)/g)].map((m) => m[1]!))];
}
