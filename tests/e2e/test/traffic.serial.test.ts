/*
 * Serial (runs alone, after the parallel phase): overload mode drives the lab to saturation and
 * asserts how it behaves there, so the CPU it gets must be its own. Beside three other test labs
 * on a 2-core machine, about one run in seven saw every request through the edge stall for
 * 5–7 s at once (generator timeouts, 499 at the edge) while the edge and the gateway answered
 * their own health probes within 250 ms and the gateway's log showed no request over 300 ms:
 * the stall was the machine's, not the lab's shedding. Alone it passed every run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Lab, LabService } from '@orderlab/lab';
import { eventually, http, labFor } from './helpers.js';

/** The parts of the traffic generator's GET /status these tests read. */
interface Status {
  mode: string;
  since: string;
  targetRate: number;
  achievedRate: number | null;
  windowSeconds: number;
  inFlight: number;
  maxInFlight: number;
  sent: { total: number; window: number };
  dropped: { total: number; window: number };
  responses: { total: Record<string, number>; window: Record<string, number> };
  overload: { saturated: boolean; saturationRate: number | null; phase: string } | null;
}

/** The edge's access log lines (one per request that came through it). */
interface AccessLine {
  time: string;
  status: number;
  path: string;
  upstream_status: string;
  request_time: number;
  upstream_connect_time: string;
  upstream_header_time: string;
  upstream_response_time: string;
}

const WINDOW_S = 3;

async function status(lab: Lab): Promise<Status> {
  const res = await http(lab.urls.traffic, 'GET', '/status');
  assert.equal(res.status, 200);
  return res.json() as unknown as Status;
}

async function switchMode(lab: Lab, mode: string, body?: Record<string, unknown>): Promise<void> {
  const res = await http(lab.urls.traffic, 'POST', `/mode/${mode}`, body ? { body } : {});
  assert.equal(res.status, 200, res.text);
  assert.equal((await http(lab.urls.traffic, 'GET', '/mode')).json().mode, mode);
}

function edgeLines(lab: Lab): AccessLine[] {
  return lab.logLines('edge') as unknown as AccessLine[];
}

/** Observes for `ms` (this is the measurement window, not a wait for a condition). */
function observe(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until the generator's window holds only the current mode (a full window since the switch). */
async function fullWindow(lab: Lab): Promise<Status> {
  return eventually('a full status window in the new mode', async () => {
    const s = await status(lab);
    return Date.now() - Date.parse(s.since) >= (WINDOW_S + 1) * 1000 ? s : undefined;
  }, 20_000);
}

/** Where the time went, for a failure message: edge statuses with their times, and the slowest lines. */
function describeEdge(lines: AccessLine[]): string {
  const byStatus = new Map<number, number[]>();
  for (const l of lines) byStatus.set(l.status, [...(byStatus.get(l.status) ?? []), l.request_time]);
  const statuses = [...byStatus.entries()].map(([code, times]) => {
    const sorted = times.sort((a, b) => a - b);
    return `${code}×${sorted.length} (p50 ${sorted[Math.floor(sorted.length / 2)]} s, max ${sorted.at(-1)} s)`;
  });
  const slowest = [...lines].sort((a, b) => b.request_time - a.request_time).slice(0, 3);
  return `${statuses.join(', ')}; slowest: ${JSON.stringify(slowest)}`;
}

/** The gateway's longest request, from its own log (time spent inside the gateway), in ms. */
function gatewaySlowestMs(lab: Lab): number {
  return Math.max(0, ...lab.logLines('gateway').map((l) => Number(l.duration_ms ?? 0)));
}

/** Resident memory of a running service in MiB, from /proc. */
function rssMiB(lab: Lab, service: LabService): number {
  const pid = lab.services[service].pid;
  assert.ok(pid, `${service} runs`);
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

describe('the traffic generator driving the real lab through the edge', () => {
  it('sends nothing paused, a clean steady rate, bursts, and makes the gateway shed load under overload', async (t) => {
    const lab = await labFor(t, 'traffic', {
      traffic: true,
      env: {
        traffic: { TRAFFIC_MODE: 'pause', STATUS_WINDOW_S: String(WINDOW_S) },
        // A small limit makes the shedding point reachable quickly on a 2-core machine.
        gateway: { MAX_IN_FLIGHT: '24' },
        fulfillment: { FULFILLMENT_PICK_MS: '0', FULFILLMENT_PACK_MS: '0', FULFILLMENT_SHIP_MS: '0' },
      },
    });
    assert.ok(lab.enabled.includes('traffic'));

    await t.test('pause: nothing reaches the edge', async () => {
      assert.equal((await status(lab)).mode, 'pause');
      const before = edgeLines(lab).length;
      await observe(2_000);
      assert.equal(edgeLines(lab).length, before, 'no request went through the edge');
      const s = await status(lab);
      assert.equal(s.sent.total, 0);
      assert.equal(s.targetRate, 0);
    });

    await t.test('steady: the target rate is achieved with zero errors', async () => {
      await switchMode(lab, 'steady', { rate: 40 });
      const s = await fullWindow(lab);
      assert.equal(s.targetRate, 40);
      assert.ok(s.achievedRate !== null && Math.abs(s.achievedRate - 40) <= 4, `achieved ${s.achievedRate} req/s for a target of 40`);
      const w = s.responses.window;
      assert.equal(w['5xx']! + w['4xx']! + w.timeout! + w.error!, 0, `no errors in steady mode: ${JSON.stringify(w)}`);
      assert.ok(w['2xx']! > 0);
      assert.equal(s.dropped.total, 0);
      // Everything went through the edge.
      assert.ok(edgeLines(lab).length >= s.sent.total - s.inFlight);
    });

    await t.test('burst: periodic peaks several times the baseline', async () => {
      await switchMode(lab, 'burst', { baseRate: 10, peakRate: 80, periodMs: 4_000, durationMs: 2_000 });
      const from = edgeLines(lab).length;
      await observe(8_500);
      const perSecond = new Map<string, number>();
      for (const line of edgeLines(lab).slice(from)) perSecond.set(line.time, (perSecond.get(line.time) ?? 0) + 1);
      // Drop the partial first and last seconds of the observation.
      const counts = [...perSecond.entries()].sort(([a], [b]) => a.localeCompare(b)).slice(1, -1).map(([, n]) => n);
      assert.ok(counts.length >= 6, `seconds observed: ${counts.length}`);
      const peak = Math.max(...counts);
      const trough = Math.min(...counts);
      assert.ok(peak >= 50, `a peak second reached ${peak} requests (peak rate 80/s)`);
      assert.ok(trough <= 20, `a quiet second had ${trough} requests (base rate 10/s)`);
      assert.ok(peak >= 3 * Math.max(trough, 1), `peak ${peak} is several times the baseline ${trough}`);
    });

    await t.test('overload: ramps to saturation and holds; the gateway sheds with 503 + Retry-After, memory stays bounded', async (st) => {
      const services = lab.enabled.filter((s) => s !== 'edge');
      const baseline = Object.fromEntries(services.map((s) => [s, rssMiB(lab, s)]));
      const peak: Record<string, number> = { ...baseline };
      const from = edgeLines(lab).length;
      await switchMode(lab, 'overload', { startRate: 200, stepRate: 300, stepIntervalMs: 1_000, maxRate: 3_000, p99Ms: 500, errorRatio: 0.05 });

      const saturated = await eventually('the generator to find the saturation point', async () => {
        for (const s of services) peak[s] = Math.max(peak[s]!, rssMiB(lab, s));
        const s = await status(lab);
        return s.overload?.saturated ? s : undefined;
      }, 30_000);
      assert.ok(saturated.overload?.saturationRate, 'a saturation rate is reported');

      // While it holds, our own requests get the same answer as the generator's: 503 problems with Retry-After, fast.
      const shed = await eventually('the gateway to shed one of our requests', async () => {
        for (const s of services) peak[s] = Math.max(peak[s]!, rssMiB(lab, s));
        const answers = await Promise.all(Array.from({ length: 40 }, () => http(lab.urls.edge, 'GET', '/api/v1/products?limit=5')));
        return answers.find((a) => a.status === 503);
      }, 20_000);
      assert.match(shed.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(shed.json().code, 'OVERLOADED');
      assert.match(shed.headers.get('retry-after') ?? '', /^\d+$/);

      const held = await status(lab);
      assert.equal(held.targetRate, saturated.overload.saturationRate, 'the rate is held at the saturation point');
      for (const s of services) peak[s] = Math.max(peak[s]!, rssMiB(lab, s));

      // Shedding, not timing out: the gateway answered 503 for its overflow, and no request hit the edge's or the gRPC deadline.
      const lines = edgeLines(lab).slice(from);
      const shedByGateway = lines.filter((l) => l.status === 503 && l.upstream_status === '503').length;
      const timedOut = lines.filter((l) => l.status === 504).length;
      assert.ok(shedByGateway > 0, 'the gateway shed load');
      assert.ok(timedOut <= lines.length * 0.01, `${timedOut} of ${lines.length} requests timed out (504)`);
      // The generator's view agrees: its requests were answered, not timed out, and it stayed within
      // its own bound. (Arrivals it dropped at that bound say the machine running this test was
      // short of CPU, not that the lab misbehaved, so they are only reported.)
      const completed = Object.values(held.responses.total).reduce((a, b) => a + b, 0);
      assert.ok(
        held.responses.total.timeout! <= completed * 0.01,
        `${held.responses.total.timeout} of ${completed} generator requests timed out; at the edge: ${describeEdge(lines)}; the gateway's slowest request took ${gatewaySlowestMs(lab)} ms`,
      );
      assert.ok(held.inFlight <= held.maxInFlight, `in flight ${held.inFlight} within the bound ${held.maxInFlight}`);
      st.diagnostic(`overload held at ${held.targetRate} req/s; ${shedByGateway} shed by the gateway, ${timedOut} × 504, ${held.dropped.total} arrivals dropped by the generator`);

      for (const s of services) {
        assert.ok(peak[s]! < 400, `${s} stayed under 400 MiB (baseline ${baseline[s]!.toFixed(0)}, peak ${peak[s]!.toFixed(0)})`);
      }
      await switchMode(lab, 'pause');
    });
  });
});
