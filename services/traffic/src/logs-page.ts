/**
 * The logs page at GET /logs: a search of VictoriaLogs by request id, trace id, service and level
 * (a plain GET form, so a search is a URL one can share, e.g. the trace page's /logs?trace_id=…),
 * the live tail of error lines (polled every 3 s) and the error lines per service of the last
 * 15 minutes (polled every 10 s). Each line links to its trace and to the search for its request
 * id. Self-contained, relative URLs, nothing fetched from elsewhere.
 */
import { CONSOLE_CSS, OTHER_COLOURS, SERVICE_COLOURS } from './console-style.js';
import { BROWSE_SINCE, DEFAULT_SINCE, LOG_LEVELS, LOG_SERVICES, LOG_SINCE } from './logs-query.js';

/** How often the page asks for the error tail and for the error rate. */
const TAIL_POLL_MS = 3_000;
const RATE_POLL_MS = 10_000;

const options = (values: readonly string[], any: string) =>
  [`<option value="">${any}</option>`, ...values.map((v) => `<option value="${v}">${v}</option>`)].join('');

/** The page, served as is (the search is read from the URL). */
export const LOGS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OrderLab logs</title>
<style>${CONSOLE_CSS}
  body { max-width: 100rem; }
  form { display: flex; flex-wrap: wrap; gap: .5rem .8rem; align-items: end; background: #fff; padding: .7rem .8rem; border-radius: .4rem; box-shadow: 0 1px 2px #0002; }
  label { display: flex; flex-direction: column; font-size: .78rem; color: #556; gap: .15rem; }
  input, select { font: inherit; font-size: .88rem; padding: .25rem .4rem; border: 1px solid #bbc; border-radius: .3rem; }
  input.id { width: 19rem; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
  table { table-layout: fixed; }
  td { overflow: hidden; text-overflow: ellipsis; font-size: .86rem; }
  td.msg { white-space: nowrap; }
  .lines th:nth-child(1) { width: 6.6rem; } .lines th:nth-child(2) { width: 7.5rem; } .lines th:nth-child(3) { width: 3.8rem; }
  .lines th:nth-child(5) { width: 9rem; } .lines th:nth-child(6) { width: 8.5rem; }
  .svc { display: inline-block; width: .6rem; height: .6rem; border-radius: .15rem; margin-right: .3rem; vertical-align: 0; }
  .lvl { font-size: .72rem; font-weight: 600; text-transform: uppercase; }
  .lvl.error, .lvl.fatal { color: #b91c1c; } .lvl.warn { color: #b45309; } .lvl.debug, .lvl.trace { color: #778; }
  tr.line { cursor: pointer; } tr.line:hover td { background: #f3f6fd; }
  tr.fresh td { animation: fresh 2.5s ease-out; }
  @keyframes fresh { from { background: #fff3c4; } to { background: transparent; } }
  tr.detail td { white-space: pre-wrap; word-break: break-word; background: #f9fafb; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .8rem; }
  .query { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .78rem; color: #556; margin: .3rem 0; word-break: break-all; }
  .cols { display: grid; grid-template-columns: minmax(0, 1fr) 24rem; gap: 1.2rem; align-items: start; }
  @media (max-width: 70rem) { .cols { grid-template-columns: 1fr; } }
  .rate td.bar { display: flex; align-items: center; gap: .4rem; }
  .rate .track { flex: 1; height: .55rem; background: #f0f2f6; border-radius: .2rem; overflow: hidden; }
  .rate .fill { display: block; height: 100%; background: #e57373; }
</style>
</head>
<body>
<nav><a href="./">← status</a><a href="traces">traces</a></nav>
<h1>OrderLab logs</h1>
<div class="muted">Every service's log lines, shipped by the Collector into VictoriaLogs. Search by request id or trace id to follow one request through the services; a line with a trace id opens its trace.</div>

<form id="search" action="logs" method="get">
  <label>request id <input class="id" name="request_id" id="request_id" autocomplete="off" spellcheck="false" maxlength="128"></label>
  <label>trace id <input class="id" name="trace_id" id="trace_id" autocomplete="off" spellcheck="false" maxlength="32"></label>
  <label>service <select name="service" id="service">${options(LOG_SERVICES, 'any')}</select></label>
  <label>level <select name="level" id="level">${options(LOG_LEVELS, 'any')}</select></label>
  <label>since <select name="since" id="since" title="auto: ${DEFAULT_SINCE} with a request or trace id, else ${BROWSE_SINCE}">${options(LOG_SINCE, 'auto')}</select></label>
  <button type="submit">Search</button>
  <a href="logs">clear</a>
</form>
<div id="message" class="notice error" role="status" hidden></div>

<div class="cols">
<section>
  <h2>Lines <span class="muted" id="summary"></span></h2>
  <div class="query" id="query"></div>
  <table class="lines">
    <thead><tr><th>time</th><th>service</th><th>level</th><th>message</th><th>request id</th><th>trace</th></tr></thead>
    <tbody id="lines"></tbody>
  </table>
</section>
<section>
  <h2>Error lines per service <span class="muted">last 15 min</span></h2>
  <div id="rate-message" class="notice error" hidden></div>
  <table class="rate">
    <thead><tr><th>service</th><th class="num">errors</th><th class="num">of lines</th></tr></thead>
    <tbody id="rate"></tbody>
  </table>
  <details><summary class="muted">LogsQL</summary><div class="query" id="rate-query"></div></details>
  <h2>Errors, live <span class="muted" id="tail-updated"></span></h2>
  <div id="tail-message" class="notice error" hidden></div>
  <table class="tail">
    <thead><tr><th style="width:6.8rem">time</th><th style="width:6.5rem">service</th><th>message</th></tr></thead>
    <tbody id="tail"></tbody>
  </table>
</section>
</div>

<script>
"use strict";
const $ = (id) => document.getElementById(id);
const KNOWN_COLOURS = ${JSON.stringify(SERVICE_COLOURS)};
const OTHER_COLOURS = ${JSON.stringify(OTHER_COLOURS)};
const params = new URLSearchParams(location.search);

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const c of children) node.append(c);
  return node;
}

function colour(service) {
  if (!service) return "#ccd";
  if (KNOWN_COLOURS[service]) return KNOWN_COLOURS[service];
  let h = 0;
  for (const ch of service) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return OTHER_COLOURS[h % OTHER_COLOURS.length];
}

function clock(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
}

function serviceCell(line) {
  return el("td", { title: line.service || "" }, el("span", { className: "svc", style: "background:" + colour(line.service) }), line.service || "—");
}

function detailRow(line, span) {
  const facts = { time: line.time, service: line.service, level: line.level, request_id: line.requestId, trace_id: line.traceId, span_id: line.spanId, method: line.method, route: line.route, status: line.status, duration_ms: line.durationMs };
  const all = Object.assign({}, facts, line.fields);
  const text = line.message + "\\n\\n" + Object.keys(all).filter((k) => all[k] !== null && all[k] !== undefined).map((k) => k + ": " + all[k]).join("\\n");
  return el("tr", { className: "detail" }, el("td", { colSpan: span, textContent: text }));
}

function lineRow(line) {
  const reqCell = el("td", { className: "mono" });
  if (line.requestId) reqCell.append(el("a", { className: "request-link", href: "logs?request_id=" + encodeURIComponent(line.requestId), textContent: line.requestId, title: "all lines of request " + line.requestId }));
  else reqCell.append("—");
  const traceCell = el("td", { className: "mono" });
  if (line.traceId) traceCell.append(el("a", { className: "trace-link", href: "traces/" + line.traceId, textContent: line.traceId.slice(0, 12) + "…", title: line.traceId }));
  else traceCell.append(el("span", { className: "muted", textContent: "—" }));
  const tr = el("tr", { className: "line" },
    el("td", { className: "mono", textContent: clock(line.time), title: line.time }),
    serviceCell(line),
    el("td", {}, el("span", { className: "lvl " + (line.level || ""), textContent: line.level || "—" })),
    el("td", { className: "msg", textContent: line.message, title: line.message }),
    reqCell,
    traceCell);
  tr.dataset.service = line.service || "";
  tr.dataset.level = line.level || "";
  tr.addEventListener("click", (e) => {
    if (e.target.tagName === "A") return;
    const next = tr.nextElementSibling;
    if (next && next.classList.contains("detail")) next.remove();
    else tr.after(detailRow(line, 6));
  });
  return tr;
}

function empty(body, span, text) {
  body.replaceChildren(el("tr", { className: "empty" }, el("td", { colSpan: span, textContent: text })));
}

async function getJson(path) {
  let res;
  try {
    res = await fetch(path, { cache: "no-store" });
  } catch (err) {
    throw new Error("The console did not answer: " + err.message);
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.detail || path + " answered " + res.status);
  return body;
}

function show(box, err) {
  box.hidden = !err;
  box.textContent = err ? err.message : "";
}

async function search() {
  for (const name of ["request_id", "trace_id", "service", "level", "since"]) {
    if (params.has(name)) $(name).value = params.get(name);
  }
  const query = new URLSearchParams();
  for (const [k, v] of params) if (v.trim() !== "") query.set(k, v.trim());
  try {
    const found = await getJson("api/logs?" + query);
    show($("message"), null);
    $("query").textContent = "LogsQL: " + found.query;
    const filtered = ["request_id", "trace_id", "service", "level"].some((k) => query.has(k));
    $("summary").textContent = found.lines.length + (found.lines.length >= found.limit ? "+" : "") + " line(s), newest first, last " + found.since + (found.lines.length >= found.limit ? " (the newest " + found.limit + " shown)" : "") + (found.truncated ? " · answer cut at the size limit" : "");
    if (found.lines.length === 0) empty($("lines"), 6, filtered ? "No line matches in the last " + found.since + ". Lines reach VictoriaLogs a second or two after they are written." : "No lines in the last " + found.since + ".");
    else $("lines").replaceChildren(...found.lines.map(lineRow));
  } catch (err) {
    show($("message"), err);
    empty($("lines"), 6, "No lines to show.");
  }
}

const seen = new Set();
let firstTail = true;
async function tail() {
  try {
    const found = await getJson("api/logs/errors/recent");
    show($("tail-message"), null);
    if (found.lines.length === 0) empty($("tail"), 3, "No error line in the last 5 minutes.");
    else {
      $("tail").replaceChildren(...found.lines.map((line) => {
        const key = line.time + "|" + line.service + "|" + line.message;
        const tr = el("tr", { className: "line" + (!firstTail && !seen.has(key) ? " fresh" : "") },
          el("td", { className: "mono", textContent: clock(line.time), title: line.time }),
          serviceCell(line),
          el("td", { className: "msg", title: line.message }, line.traceId ? el("a", { href: "traces/" + line.traceId, textContent: line.message || "(no message)" }) : line.message));
        tr.dataset.key = key;
        seen.add(key);
        tr.addEventListener("click", (e) => {
          if (e.target.tagName === "A") return;
          const next = tr.nextElementSibling;
          if (next && next.classList.contains("detail")) next.remove();
          else tr.after(detailRow(line, 3));
        });
        return tr;
      }));
      // Bounded: forget keys no longer listed.
      if (seen.size > 500) { seen.clear(); for (const l of found.lines) seen.add(l.time + "|" + l.service + "|" + l.message); }
    }
    firstTail = false;
    $("tail-updated").textContent = "last 5 min · updated " + new Date().toLocaleTimeString([], { hour12: false });
  } catch (err) {
    show($("tail-message"), err);
  }
}

async function rate() {
  try {
    const found = await getJson("api/logs/error-rate");
    show($("rate-message"), null);
    $("rate-query").textContent = found.query;
    if (found.services.length === 0) return empty($("rate"), 3, "No lines in the last " + found.windowMinutes + " minutes.");
    const most = Math.max(1, ...found.services.map((s) => s.errors));
    $("rate").replaceChildren(...found.services.map((s) => {
      const tr = el("tr", {},
        el("td", {}, el("a", { href: "logs?service=" + encodeURIComponent(s.service) + "&level=error&since=15m", textContent: s.service })),
        el("td", { className: "num bar" }, el("span", { className: "track" }, el("span", { className: "fill", style: "width:" + (s.errors / most) * 100 + "%" })), el("span", { className: s.errors > 0 ? "s5" : "", textContent: String(s.errors) })),
        el("td", { className: "num muted", textContent: String(s.lines) }));
      tr.dataset.service = s.service;
      return tr;
    }));
  } catch (err) {
    show($("rate-message"), err);
  }
}

search();
tail();
rate();
setInterval(tail, ${TAIL_POLL_MS});
setInterval(rate, ${RATE_POLL_MS});
</script>
</body>
</html>
`;
