import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { collectorEnv, COLLECTOR_CONFIG, LOGS_FEATURE_GATES, type TracingPorts } from '../src/lab-tracing.js';
import { logsCollectorEnv, logsDirs, LOGS_COLLECTOR_CONFIG, victoriaLogsSpec } from '../src/lab-logs.js';
import { LogRotator, rotateFile } from '../src/log-rotation.js';
import { LogSink } from '../src/log-sink.js';
import { cachedTool, OTEL_COLLECTOR } from '../src/tools.js';

function freshDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'orderlab-rotation-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every line of <file> and its rotated copies, oldest first (<file>.<keep> … <file>.1, then <file>). */
function allLines(file: string, keep: number): string[] {
  const files = [...Array.from({ length: keep }, (_, i) => `${file}.${keep - i}`), file].filter((f) => existsSync(f));
  return files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
}

describe('log rotation', () => {
  it('shifts the copies up by one and deletes the one past keep', (t) => {
    const dir = freshDir(t);
    const file = join(dir, 'gateway.log');
    writeFileSync(`${file}.2`, 'oldest\n');
    writeFileSync(`${file}.1`, 'older\n');
    writeFileSync(file, 'current\n');

    rotateFile(file, 2);

    assert.deepEqual(readdirSync(dir).sort(), ['gateway.log.1', 'gateway.log.2']);
    assert.equal(readFileSync(`${file}.1`, 'utf8'), 'current\n');
    assert.equal(readFileSync(`${file}.2`, 'utf8'), 'older\n');
  });

  it("loses no line of the runner's writer: every line once, in order, no file much past the limit", (t) => {
    const dir = freshDir(t);
    const file = join(dir, 'orders.log');
    const sink = new LogSink('orders', file, 'none', false);
    const rotator = new LogRotator([{ file }], { maxBytes: 2_000, keep: 100 });
    const written: string[] = [];
    for (let i = 0; i < 1_000; i++) {
      const line = JSON.stringify({ level: 'info', service: 'orders', n: i, msg: 'line' });
      written.push(line);
      sink.write([line]);
      if (i % 7 === 0) rotator.check();
    }

    assert.ok(rotator.rotations > 10, `rotated ${rotator.rotations} times`);
    assert.deepEqual(allLines(file, 100), written);
    for (const name of readdirSync(dir)) assert.ok(statSync(join(dir, name)).size < 2_000 + 7 * 80, `${name} stays near the limit`);
  });

  it('keeps the lines a writer holding its file open (Nginx) writes until it reopens, in the rotated copy', (t) => {
    const dir = freshDir(t);
    const file = join(dir, 'edge.log');
    let fd = openSync(file, 'a');
    let reopened = 0;
    // Nginx reopens on SIGUSR1 a moment later, not at once: lines in between go to the renamed file.
    let pendingReopen = false;
    const rotator = new LogRotator(
      [
        {
          file,
          reopen: () => {
            reopened++;
            pendingReopen = true;
          },
        },
      ],
      { maxBytes: 1_000, keep: 50 },
    );
    const written: string[] = [];
    for (let i = 0; i < 300; i++) {
      const line = JSON.stringify({ request_id: `r-${i}`, status: 200 });
      written.push(line);
      writeSync(fd, `${line}\n`);
      if (i % 5 === 0) {
        if (pendingReopen) {
          closeSync(fd);
          fd = openSync(file, 'a');
          pendingReopen = false;
        }
        rotator.check();
      }
    }
    closeSync(fd);

    assert.ok(reopened > 5, `asked to reopen ${reopened} times`);
    assert.deepEqual(allLines(file, 50), written);
  });
});

describe("the Collector's logs pipeline", () => {
  it('is a valid config for the built Collector, merged over its own', (t) => {
    const collector = cachedTool(OTEL_COLLECTOR);
    if (!collector) return t.skip('the Collector is not built yet (npm test builds it first)');
    const dir = freshDir(t);
    const ports = Object.fromEntries(
      ['otlpGrpc', 'otlpHttp', 'collectorHealth', 'collectorMetrics', 'spanMetrics', 'jaegerQuery', 'jaegerQueryGrpc', 'jaegerOtlpGrpc', 'jaegerHealth', 'jaegerMetrics'].map((name, i) => [name, 40_000 + i]),
    ) as unknown as TracingPorts;
    const env = { ...process.env, ...collectorEnv(ports), ...logsCollectorEnv({ logsDir: dir, dirs: logsDirs(dir), victoriaLogsPort: 40_100 }) };
    const result = spawnSync(collector.path, ['validate', '--config', COLLECTOR_CONFIG, '--config', LOGS_COLLECTOR_CONFIG, `--feature-gates=${LOGS_FEATURE_GATES}`], { env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 0, result.stderr);
  });

  it('runs VictoriaLogs on 127.0.0.1 with its data in the lab and retention bounded by age and disk', () => {
    const spec = victoriaLogsSpec(9428, logsDirs('/lab/logs-data'));
    assert.deepEqual(spec.args, [
      '-httpListenAddr=127.0.0.1:9428',
      '-storageDataPath=/lab/logs-data/victorialogs',
      '-retentionPeriod=7d',
      '-retention.maxDiskSpaceUsageBytes=1GiB',
    ]);
    assert.equal(spec.readyUrl, 'http://127.0.0.1:9428/health');
  });
});
