/**
 * The trace page at GET /traces/{traceId}: the waterfall of one trace, drawn from
 * /api/traces/{traceId} (the trace store's trace, shaped by trace-waterfall.ts). One row per span,
 * indented by depth, its bar placed on the trace's time axis, coloured by service; error spans and
 * spans whose parent is missing are marked; a click on a row shows its attributes. A trace the
 * store does not have yet is asked for again every 2 s for a while. Self-contained, relative URLs.
 */
import { CONSOLE_CSS, OTHER_COLOURS, SERVICE_COLOURS } from './console-style.js';

/** The page, served as is (the trace id is read from the URL); `storeName` ("Jaeger", "Tempo") is what its messages call the store. */
export function tracePageHtml(storeName: string): string {
  // JSON in a script: escape "<" so a name can never close the element.
  const STORE = JSON.stringify(storeName).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OrderLab trace</title>
<style>${CONSOLE_CSS}
  #summary { margin: .3rem 0 .6rem; display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; }
  #summary b { font-variant-numeric: tabular-nums; }
  .legend { display: flex; flex-wrap: wrap; gap: .3rem 1rem; font-size: .88rem; margin-bottom: .6rem; }
  .swatch { display: inline-block; width: .75rem; height: .75rem; border-radius: .2rem; vertical-align: -.1rem; margin-right: .3rem; }
  .waterfall { background: #fff; border-radius: .4rem; box-shadow: 0 1px 2px #0002; font-size: .88rem; }
  .row { display: grid; grid-template-columns: minmax(15rem, 36%) 1fr; border-bottom: 1px solid #eef0f3; }
  .row.head { font-size: .78rem; color: #667; border-bottom: 1px solid #d8dbe2; position: sticky; top: 0; background: #fff; z-index: 1; }
  .span-row { cursor: pointer; }
  .span-row:hover, .span-row.open { background: #f3f6fd; }
  .name { display: flex; align-items: center; gap: .35rem; padding: .28rem .5rem; overflow: hidden; white-space: nowrap; border-left: 4px solid transparent; }
  .name .svc { color: #556; font-size: .78rem; flex: none; }
  .name .op { overflow: hidden; text-overflow: ellipsis; }
  .badge { flex: none; font-size: .7rem; padding: 0 .35rem; border-radius: .6rem; line-height: 1.1rem; }
  .badge.err { background: #fde2e2; color: #b91c1c; font-weight: 600; }
  .badge.orphan { background: #fff1d6; color: #92400e; }
  .track { position: relative; margin: 0 .8rem; min-height: 1.6rem; }
  .tick { position: absolute; top: 0; bottom: 0; border-left: 1px solid #eef0f3; }
  .head .tick { border-left-color: #d8dbe2; padding-left: .25rem; line-height: 1.7rem; white-space: nowrap; }
  .bar { position: absolute; top: .42rem; height: .8rem; border-radius: .15rem; min-width: 2px; }
  .bar.error { box-shadow: 0 0 0 2px #dc2626; background-image: repeating-linear-gradient(135deg, transparent 0 4px, #fff6 4px 7px); }
  .dur { position: absolute; top: .32rem; line-height: 1rem; font-size: .75rem; color: #445; white-space: nowrap; font-variant-numeric: tabular-nums; }
  .dur.inside { color: #fff; text-shadow: 0 0 2px #0006; }
  .detail { padding: .5rem .8rem .8rem 1.2rem; background: #f9fafb; border-bottom: 1px solid #e3e5ea; }
  .detail table { box-shadow: none; margin-top: .3rem; font-size: .82rem; }
  .detail td { white-space: normal; word-break: break-word; vertical-align: top; }
  .detail td:first-child { width: 16rem; color: #445; }
  .detail h3 { font-size: .85rem; margin: .7rem 0 .1rem; }
</style>
</head>
<body>
<nav><a href="../traces">← traces</a><a href="../">status</a><a href="../logs">logs</a></nav>
<h1>Trace <span class="mono" id="trace-id"></span> <a class="muted" id="trace-logs" href="#">its log lines →</a></h1>
<div id="state" role="status"></div>
<div id="summary"></div>
<div class="legend" id="legend"></div>
<div class="waterfall" id="waterfall" hidden></div>

<script>
const STORE = ${STORE};
"use strict";
const $ = (id) => document.getElementById(id);
const KNOWN_COLOURS = ${JSON.stringify(SERVICE_COLOURS)};
const OTHER_COLOURS = ${JSON.stringify(OTHER_COLOURS)};
const RETRY_MS = 2000;
const MAX_ATTEMPTS = 15;
const traceId = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
let attempts = 0;
let timer;

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const c of children) node.append(c);
  return node;
}

function colour(service) {
  if (KNOWN_COLOURS[service]) return KNOWN_COLOURS[service];
  let h = 0;
  for (const ch of service) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return OTHER_COLOURS[h % OTHER_COLOURS.length];
}

function ms(v) {
  if (v >= 1000) return (v / 1000).toFixed(v >= 10000 ? 1 : 2) + " s";
  if (v >= 10) return v.toFixed(1) + " ms";
  return v.toFixed(2) + " ms";
}

/** About 5 ticks at 1, 2 or 5 times a power of ten. */
function tickStep(total) {
  const raw = Math.max(total, 0.001) / 5;
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw);
}

/** A tick's label: as few digits as its step needs. */
function tickLabel(t, step) {
  if (step >= 1000) return +(t / 1000).toFixed(step >= 10000 ? 0 : 1) + " s";
  return +t.toFixed(step >= 1 ? 0 : 3) + " ms";
}

function ticks(total, labelled) {
  const step = tickStep(total);
  const out = [];
  for (let t = 0; t < total + step / 1000; t += step) {
    const left = total === 0 ? 0 : (t / total) * 100;
    if (left > 100.01) break;
    out.push(el("div", { className: "tick", style: "left:" + left + "%", textContent: labelled && left < 96 ? tickLabel(t, step) : "" }));
  }
  return out;
}

function showState(kind, text, retry) {
  const box = $("state");
  box.replaceChildren();
  if (!kind) return;
  box.className = "notice" + (kind === "error" ? " error" : "");
  box.append(el("span", { textContent: text + " " }));
  if (retry) {
    const again = el("button", { type: "button", textContent: "Retry now" });
    again.addEventListener("click", () => { attempts = 0; load(); });
    box.append(again);
  }
}

function kv(attributes, keepOrder) {
  const keys = keepOrder ? Object.keys(attributes) : Object.keys(attributes).sort();
  if (keys.length === 0) return el("div", { className: "muted", textContent: "none" });
  return el("table", {}, el("tbody", {}, ...keys.map((k) => el("tr", {}, el("td", { className: "mono", textContent: k }), el("td", { className: "mono", textContent: String(attributes[k]) })))));
}

function detail(span, model) {
  const box = el("div", { className: "detail" });
  const facts = { "span id": span.spanId, "parent span id": span.parentSpanId === null ? "— (root)" : span.parentSpanId + (span.missingParent ? " (not in this trace)" : ""), service: span.service, kind: span.kind || "—", start: ms(span.startMs) + " after the trace's start", duration: ms(span.durationMs), status: span.error ? "ERROR" : "unset / ok" };
  box.append(kv(facts, true), el("h3", { textContent: "Attributes" }), kv(span.attributes));
  if (span.events.length > 0) {
    box.append(el("h3", { textContent: "Events" }));
    for (const e of span.events) box.append(el("div", { className: "mono", textContent: "+" + ms(e.offsetMs) + "  " + e.name }), kv(e.attributes));
  }
  if (span.links.length > 0) {
    box.append(el("h3", { textContent: "Links" }));
    for (const l of span.links) {
      const line = el("div", { className: "mono" });
      if (l.traceId !== model.traceId) line.append(el("a", { href: l.traceId, textContent: "trace " + l.traceId }), " span " + l.spanId);
      else line.append("span " + l.spanId + " of this trace");
      box.append(line);
    }
  }
  if (span.warnings.length > 0) box.append(el("h3", { textContent: STORE + "'s warnings" }), ...span.warnings.map((w) => el("div", { className: "muted", textContent: w })));
  const service = model.services.find((s) => s.name === span.service);
  if (service) box.append(el("h3", { textContent: "Resource of " + span.service }), kv(service.attributes));
  return box;
}

function spanRow(span, model) {
  const total = model.durationMs || 1;
  const left = (span.startMs / total) * 100;
  const width = (span.durationMs / total) * 100;
  const name = el("div", { className: "name", title: span.service + ": " + span.name, style: "padding-left:" + (0.5 + Math.min(span.depth, 14) * 1.1) + "rem;border-left-color:" + colour(span.service) },
    el("span", { className: "svc", textContent: span.service }),
    el("span", { className: "op", textContent: span.name }));
  if (span.error) name.append(el("span", { className: "badge err", textContent: "error" }));
  if (span.missingParent) name.append(el("span", { className: "badge orphan", textContent: "parent missing", title: "Its parent span " + span.parentSpanId + " is not in this trace: context was lost on the way, or the parent's span has not arrived." }));
  const bar = el("div", { className: "bar" + (span.error ? " error" : ""), style: "left:" + left + "%;width:" + width + "%;background-color:" + colour(span.service) });
  const dur = el("div", { className: "dur", textContent: ms(span.durationMs) });
  // The duration beside the bar: after it, else before it, else (a bar across the axis) inside its end.
  if (left + width <= 80) dur.style.left = "calc(" + (left + width) + "% + .35rem)";
  else if (left >= 12) dur.style.right = "calc(" + (100 - left) + "% + .35rem)";
  else {
    dur.style.right = "calc(" + (100 - left - width) + "% + .35rem)";
    dur.classList.add("inside");
  }
  const row = el("div", { className: "row span-row", tabIndex: 0 }, name, el("div", { className: "track" }, ...ticks(total, false), bar, dur));
  row.dataset.service = span.service;
  row.dataset.spanId = span.spanId;
  if (span.error) row.dataset.error = "true";
  const toggle = () => {
    const open = row.nextElementSibling && row.nextElementSibling.classList.contains("detail");
    if (open) row.nextElementSibling.remove();
    else row.after(detail(span, model));
    row.classList.toggle("open", !open);
  };
  row.addEventListener("click", toggle);
  row.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
  return row;
}

function render(model) {
  showState(null);
  document.title = "Trace " + model.traceId.slice(0, 8) + " · OrderLab";
  const root = model.spans[0];
  const facts = [
    ["root", root ? root.service + ": " + root.name : "—"],
    ["duration", ms(model.durationMs)],
    ["spans", String(model.spanCount)],
    ["services", String(model.services.length)],
    ["errors", String(model.errorCount)],
    ["started", new Date(model.startTime).toLocaleString()],
  ];
  $("summary").replaceChildren(...facts.map(([k, v]) => el("span", { className: "muted" }, k + " ", el("b", { textContent: v }))));
  $("legend").replaceChildren(...model.services.map((s) => el("span", {}, el("span", { className: "swatch", style: "background:" + colour(s.name) }), s.name + " (" + s.spanCount + (s.errorCount ? ", " + s.errorCount + " failed" : "") + ")")));
  const notes = [];
  if (model.missingParentCount > 0) notes.push(model.missingParentCount + " span(s) name a parent that is not in this trace (marked \\u201cparent missing\\u201d): trace context was lost somewhere, or their parents have not reached " + STORE + " yet.");
  if (model.truncated) notes.push("This trace is large: only its first " + model.spans.length + " spans are drawn.");
  for (const w of model.warnings) notes.push(STORE + ": " + w);
  if (notes.length > 0) showState("warn", notes.join(" "), false);
  const head = el("div", { className: "row head" }, el("div", { className: "name", textContent: "service · span" }), el("div", { className: "track" }, ...ticks(model.durationMs, true)));
  const wf = $("waterfall");
  wf.replaceChildren(head, ...model.spans.map((s) => spanRow(s, model)));
  wf.hidden = false;
}

async function load() {
  clearTimeout(timer);
  attempts += 1;
  let res;
  try {
    res = await fetch("../api/traces/" + encodeURIComponent(traceId), { cache: "no-store" });
  } catch (err) {
    showState("error", "The console did not answer: " + err.message, true);
    return;
  }
  if (res.ok) return render(await res.json());
  const problem = await res.json().catch(() => ({}));
  const again = attempts < MAX_ATTEMPTS;
  if (again && (res.status === 404 || res.status === 503)) timer = setTimeout(load, RETRY_MS);
  if (res.status === 404) {
    showState("warn", again ? "Not yet in " + STORE + " \\u2014 spans arrive within a few seconds. Asking again (" + attempts + "/" + MAX_ATTEMPTS + ")\\u2026"
      : "Still not in " + STORE + " after " + (MAX_ATTEMPTS * RETRY_MS) / 1000 + " s: it may have been evicted (" + STORE + " keeps traces for a bounded time), or the services did not export it.", true);
  } else if (res.status === 503) {
    showState("error", STORE + " could not give the trace: " + (problem.detail || res.statusText) + (again ? " Asking again\\u2026" : ""), true);
  } else {
    showState("error", problem.detail || "GET /api/traces/" + traceId + " answered " + res.status + ".", false);
  }
}

$("trace-id").textContent = traceId;
$("trace-logs").href = "../logs?trace_id=" + encodeURIComponent(traceId);
load();
</script>
</body>
</html>
`;
}
