/**
 * The traces page at GET /traces: the generator's slowest requests of the last minutes and its
 * last failed ones, each row opening its trace (/traces/{traceId}). One self-contained document
 * polling /api/traces/recent every 2 s; URLs are relative, so it works behind a path prefix.
 */
import { CONSOLE_CSS } from './console-style.js';

/** The page, served as is. */
export const TRACES_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OrderLab traces</title>
<style>${CONSOLE_CSS}
  td.bar { display: flex; align-items: center; gap: .5rem; }
  td.bar .track { flex: 1; height: .55rem; background: #f0f2f6; border-radius: .2rem; overflow: hidden; }
  td.bar .fill { display: block; height: 100%; background: #93a9e8; }
  td.bar .text { min-width: 5rem; text-align: right; }
  table { table-layout: fixed; }
  td { overflow: hidden; text-overflow: ellipsis; }
  th:nth-child(1) { width: 8rem; } th:nth-child(2) { width: 10rem; } th:nth-child(4) { width: 6.5rem; }
  th:nth-child(5) { width: 12rem; } th:nth-child(6) { width: 11rem; }
  .trace-link { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
</style>
</head>
<body>
<nav><a href="./">← status</a><a href="logs">logs</a></nav>
<h1>OrderLab traces</h1>
<div class="muted">The traffic generator's slowest and failed requests, with the trace each became (from the <span class="mono">traceresponse</span> header). Click a row to open its trace.</div>
<div id="hint" class="notice" hidden></div>
<div id="message" class="notice error" role="status" hidden></div>

<h2>Slowest <span class="muted">responses of the last <span id="window">5</span> min</span><span class="muted" id="updated"></span></h2>
<table>
  <thead><tr><th>time</th><th>journey</th><th>request</th><th class="num">status</th><th class="num">duration</th><th>trace</th></tr></thead>
  <tbody id="slowest"></tbody>
</table>

<h2>Failed <span class="muted">the last 20: 5xx, timeouts, connection errors</span></h2>
<table>
  <thead><tr><th>time</th><th>journey</th><th>request</th><th class="num">outcome</th><th class="num">duration</th><th>trace</th></tr></thead>
  <tbody id="failed"></tbody>
</table>

<script>
"use strict";
const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const c of children) node.append(c);
  return node;
}

function clock(iso) {
  const d = new Date(iso);
  return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
}

function ms(value) {
  return value >= 1000 ? (value / 1000).toFixed(2) + " s" : value.toFixed(1) + " ms";
}

function statusCell(r) {
  if (r.status !== null) return el("td", { className: "num " + (r.status >= 500 ? "s5" : r.status >= 400 ? "s4" : ""), textContent: String(r.status) });
  return el("td", { className: "num s5", textContent: r.outcome + (r.errorCode ? " (" + r.errorCode + ")" : "") });
}

function traceCell(r) {
  if (r.traceId === null) {
    const why = r.status === null ? "no trace: no response" : "no traceresponse";
    return el("td", { className: "muted", textContent: why });
  }
  return el("td", {}, el("a", { className: "trace-link", href: "traces/" + r.traceId, textContent: r.traceId.slice(0, 16) + "…", title: r.traceId }));
}

function rows(list, longest, withBar) {
  return list.map((r) => {
    const duration = el("td", { className: "num" + (withBar ? " bar" : "") });
    if (withBar) duration.append(el("span", { className: "track" }, el("span", { className: "fill", style: "width:" + Math.max(1, (r.durationMs / longest) * 100) + "%" })));
    duration.append(el("span", { className: "text", textContent: ms(r.durationMs) }));
    const tr = el("tr", { className: r.traceId === null ? "" : "link", title: r.method + " " + r.path },
      el("td", { className: "mono", textContent: clock(r.time) }),
      el("td", { textContent: r.journey }),
      el("td", { className: "mono", textContent: r.method + " " + r.route }),
      statusCell(r),
      duration,
      traceCell(r));
    if (r.traceId !== null) tr.addEventListener("click", (e) => { if (e.target.tagName !== "A") location.href = "traces/" + r.traceId; });
    return tr;
  });
}

function fill(body, list, empty, withBar) {
  if (list.length === 0) {
    body.replaceChildren(el("tr", { className: "empty" }, el("td", { colSpan: 6, textContent: empty })));
    return;
  }
  body.replaceChildren(...rows(list, Math.max(...list.map((r) => r.durationMs)), withBar));
}

function render(recent) {
  $("window").textContent = String(Math.round(recent.windowSeconds / 60));
  fill($("slowest"), recent.slowest, "No response yet in this window.", true);
  fill($("failed"), recent.failed, "No failed request since the generator started.", false);
  const { traced, untraced } = recent.responses;
  const hint = $("hint");
  hint.hidden = !(untraced > 0 && traced === 0);
  hint.textContent = "None of the " + untraced + " responses so far carried a traceresponse header, so there is no trace to open. Is tracing on in the lab (TRACING_ENABLED)?";
  $("updated").textContent = "· updated " + new Date().toLocaleTimeString([], { hour12: false });
}

async function refresh() {
  try {
    const res = await fetch("api/traces/recent", { cache: "no-store" });
    if (!res.ok) throw new Error("GET /api/traces/recent answered " + res.status);
    render(await res.json());
    $("message").hidden = true;
  } catch (err) {
    $("message").textContent = "The list is not updating: " + err.message;
    $("message").hidden = false;
  }
}

refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
`;
