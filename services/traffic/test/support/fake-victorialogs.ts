/**
 * A fake of VictoriaLogs' LogsQL API (another service's boundary) for the console's tests:
 * `POST /select/logsql/query` with a form body (`query`, `timeout`) answers JSON lines, as the
 * real v1.52.2 does, and records every query it was sent so tests can assert the LogsQL. The
 * answer is chosen by the test (`answer(query)`); the shapes were read off the real binary
 * (all values are strings; `_stream` and `_stream_id` come with every line).
 * Behaviours: answer, reject the query with 400 as VictoriaLogs does, fail with 500, answer
 * garbage, or hang.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeVictoriaLogs {
  url: string;
  /** The records to answer a query with (default: none). */
  answer: (query: string) => Record<string, string>[];
  /** Every request's form fields, in order. */
  asked: { query: string; timeout: string | null; method: string; contentType: string }[];
  behaviour: 'answer' | 'reject' | 'fail' | 'garbage' | 'hang';
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1:0. */
export async function startFakeVictoriaLogs(): Promise<FakeVictoriaLogs> {
  const fake: FakeVictoriaLogs = { url: '', answer: () => [], asked: [], behaviour: 'answer', close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (new URL(req.url ?? '/', 'http://fake').pathname !== '/select/logsql/query') {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('unsupported path requested');
        return;
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const query = form.get('query') ?? '';
      fake.asked.push({ query, timeout: form.get('timeout'), method: req.method ?? '', contentType: req.headers['content-type'] ?? '' });
      if (fake.behaviour === 'hang') return;
      if (fake.behaviour === 'fail') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('storage failure');
        return;
      }
      if (fake.behaviour === 'reject' || query === '') {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`cannot parse \`query\` arg [${query}]: unexpected token`);
        return;
      }
      if (fake.behaviour === 'garbage') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>placeholder</html>');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/stream+json' });
      res.end(fake.answer(query).map((r) => `${JSON.stringify(r)}\n`).join(''));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return fake;
}

/** A line as VictoriaLogs answers it after the lab's Collector shipped it (OTLP: service.name, severity_text). */
export function shippedLine(fields: { time: string; service: string; level: string; msg: string; request_id?: string; trace_id?: string; span_id?: string } & Record<string, string>): Record<string, string> {
  const { time, service, level, msg, ...rest } = fields;
  return {
    _msg: msg,
    _stream: `{service.name="${service}"}`,
    _stream_id: '0000000000000000e934a84adb05276890d7f7bfcadabe92',
    _time: time,
    'service.name': service,
    service,
    severity_text: level,
    severity_number: level === 'error' ? '17' : '9',
    level,
    ...rest,
  };
}
