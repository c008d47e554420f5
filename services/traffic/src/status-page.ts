/**
 * The status page at GET /: one self-contained HTML document (inline CSS and JS, nothing
 * fetched from elsewhere, no build step) that polls /status every second and switches modes,
 * and links the traces view (/traces).
 * URLs are relative so the page also works behind a path prefix.
 */

/** The page, served as is. */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OrderLab traffic</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f6f7f9; }
  body { max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
  nav { float: right; }
  a { color: #1d4ed8; }
  .muted { color: #667; font-size: .9rem; }
  .modes { display: flex; gap: .5rem; flex-wrap: wrap; margin: 1rem 0; align-items: center; }
  button { font: inherit; padding: .45rem 1rem; border: 1px solid #99a; border-radius: .4rem; background: #fff; cursor: pointer; }
  button.active { background: #1d4ed8; color: #fff; border-color: #1d4ed8; }
  input { font: inherit; width: 6rem; padding: .4rem; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .75rem; }
  .card { background: #fff; border-radius: .5rem; padding: .75rem; box-shadow: 0 1px 2px #0002; }
  .card .label { font-size: .8rem; color: #667; }
  .card .value { font-size: 1.4rem; font-variant-numeric: tabular-nums; }
  table { border-collapse: collapse; width: 100%; background: #fff; margin-top: 1rem; font-variant-numeric: tabular-nums; }
  th, td { text-align: right; padding: .3rem .5rem; border-bottom: 1px solid #e3e5ea; }
  th:first-child, td:first-child { text-align: left; }
  #message { min-height: 1.2rem; color: #b91c1c; }
  #saturation.hot { color: #b91c1c; font-weight: 600; }
  pre { background: #fff; padding: .5rem; border-radius: .4rem; overflow-x: auto; }
</style>
</head>
<body>
<nav class="muted"><a href="traces">traces →</a> the slowest and failed requests, and their traces · <a href="logs">logs →</a> every service's lines</nav>
<h1>OrderLab traffic</h1>
<div class="muted">target <span id="target">…</span> · up <span id="uptime">…</span> s · window <span id="window">…</span> s</div>

<div class="modes" role="group" aria-label="mode">
  <button type="button" data-mode="steady">steady</button>
  <button type="button" data-mode="burst">burst</button>
  <button type="button" data-mode="overload">overload</button>
  <button type="button" data-mode="pause">pause</button>
  <label class="muted">steady rate <input id="steady-rate" type="number" min="0" step="any" placeholder="default"></label>
</div>
<div id="message" role="status"></div>

<div class="cards">
  <div class="card"><div class="label">mode</div><div class="value" id="mode">…</div></div>
  <div class="card"><div class="label">target rate (req/s)</div><div class="value" id="target-rate">…</div></div>
  <div class="card"><div class="label">achieved rate (req/s)</div><div class="value" id="achieved-rate">…</div></div>
  <div class="card"><div class="label">in flight / max</div><div class="value" id="in-flight">…</div></div>
  <div class="card"><div class="label">dropped (window / total)</div><div class="value" id="dropped">…</div></div>
  <div class="card"><div class="label">error ratio (window)</div><div class="value" id="error-ratio">…</div></div>
  <div class="card"><div class="label">latency p50 / p95 / p99 (ms)</div><div class="value" id="latency">…</div></div>
  <div class="card"><div class="label">overload</div><div class="value" id="saturation">–</div></div>
</div>

<table>
  <thead><tr><th>responses</th><th>2xx</th><th>3xx</th><th>4xx</th><th>5xx</th><th>timeout</th><th>error</th></tr></thead>
  <tbody id="responses"></tbody>
</table>

<table>
  <thead><tr><th>journey</th><th>route</th><th>weight</th><th>sent</th><th>2xx</th><th>4xx</th><th>5xx</th><th>timeout</th><th>error</th></tr></thead>
  <tbody id="journeys"></tbody>
</table>

<p class="muted">mode parameters</p>
<pre id="params">…</pre>

<script>
"use strict";
const $ = (id) => document.getElementById(id);
const fmt = (n, digits = 1) => (n === null || n === undefined ? "–" : Number(n).toFixed(digits));
const CLASSES = ["2xx", "3xx", "4xx", "5xx", "timeout", "error"];

function cell(text) {
  const td = document.createElement("td");
  td.textContent = String(text);
  return td;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const c of cells) tr.appendChild(cell(c));
  return tr;
}

function render(s) {
  $("target").textContent = s.target;
  $("uptime").textContent = fmt(s.uptimeSeconds, 0);
  $("window").textContent = s.windowSeconds;
  $("mode").textContent = s.mode;
  $("target-rate").textContent = fmt(s.targetRate);
  $("achieved-rate").textContent = fmt(s.achievedRate);
  $("in-flight").textContent = s.inFlight + " / " + s.maxInFlight;
  $("dropped").textContent = s.dropped.window + " / " + s.dropped.total;
  $("error-ratio").textContent = s.errorRatio === null ? "–" : (s.errorRatio * 100).toFixed(2) + " %";
  $("latency").textContent = [s.latencyMs.p50, s.latencyMs.p95, s.latencyMs.p99].map((v) => fmt(v)).join(" / ");
  const sat = $("saturation");
  if (s.overload === null) {
    sat.textContent = "–";
    sat.className = "value";
  } else if (s.overload.saturated) {
    sat.textContent = "saturated at " + fmt(s.overload.saturationRate) + " req/s";
    sat.title = s.overload.reason;
    sat.className = "value hot";
  } else {
    sat.textContent = s.overload.phase + ", step " + s.overload.step;
    sat.className = "value";
  }
  $("responses").replaceChildren(
    row(["window"].concat(CLASSES.map((c) => s.responses.window[c]))),
    row(["total"].concat(CLASSES.map((c) => s.responses.total[c]))),
  );
  $("journeys").replaceChildren(
    ...Object.entries(s.journeys).map(([name, j]) =>
      row([name, j.route, j.weight === null ? (s.orderRetryRatio * 100).toFixed(0) + " % of place-order" : j.weight, j.sent, j.outcomes["2xx"], j.outcomes["4xx"], j.outcomes["5xx"], j.outcomes.timeout, j.outcomes.error]),
    ),
  );
  $("params").textContent = JSON.stringify(s.params, null, 2);
  for (const b of document.querySelectorAll("button[data-mode]")) b.classList.toggle("active", b.dataset.mode === s.mode);
}

async function refresh() {
  try {
    const res = await fetch("status", { cache: "no-store" });
    if (!res.ok) throw new Error("GET /status answered " + res.status);
    render(await res.json());
    if ($("message").dataset.kind === "poll") $("message").textContent = "";
  } catch (err) {
    $("message").textContent = "status unavailable: " + err.message;
    $("message").dataset.kind = "poll";
  }
}

async function switchMode(mode) {
  const init = { method: "POST" };
  const rate = $("steady-rate").value;
  if (mode === "steady" && rate !== "") {
    init.headers = { "content-type": "application/json" };
    init.body = JSON.stringify({ rate: Number(rate) });
  }
  const res = await fetch("mode/" + mode, init);
  if (!res.ok) {
    const problem = await res.json().catch(() => ({}));
    $("message").textContent = problem.detail || "switching to " + mode + " failed (" + res.status + ")";
    $("message").dataset.kind = "switch";
    return;
  }
  $("message").textContent = "";
  await refresh();
}

for (const b of document.querySelectorAll("button[data-mode]")) b.addEventListener("click", () => switchMode(b.dataset.mode));
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;
