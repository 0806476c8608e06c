"use strict";

// Live timeline of workflow runs: loads /api/events, then follows /api/events/stream (SSE); an
// operating panel polls /api/tracker. The DOM of a run is built once and then only patched where a
// value changed; finished runs are left alone. At most MAX_RUNS runs are kept (the newest).
(() => {
  const params = new URLSearchParams(location.search);
  const MAX_RUNS = boundedInt(params.get("maxRuns"), 1, 500, 50);
  const MAX_EVICTED = 2000;        // keys of runs dropped for space, remembered so late events stay out
  const TICK_MS = 200;
  const PANEL_MS = 1000;

  const runs = new Map();          // key -> run, oldest first (insertion order)
  const evicted = new Set();       // keys of runs dropped for space, oldest first
  const runList = document.getElementById("runs");
  const template = document.getElementById("run-template");
  let eventCount = 0;
  let statsDirty = true;

  const descriptions = {
    "order-fulfillment": "retry, sleep, completes",
    "payment-failure": "retries exhausted",
    "report-timeout": "step times out",
    "queued-import": "queued, then runs",
    "cancelled-shipment": "cancelled midway",
  };
  const TICK_FRACTIONS = [0, 0.25, 0.5, 0.75, 1];

  function boundedInt(text, min, max, fallback) {
    const n = Number.parseInt(text ?? "", 10);
    return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
  }

  // Writes only when the value differs, so unchanged nodes are not touched.
  function setText(el, text) {
    const value = String(text);
    if (el.textContent !== value) el.textContent = value;
  }
  function setAttr(el, name, value) {
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  }
  function setStyle(el, name, value) {
    if (el.style[name] !== value) el.style[name] = value;
  }

  // ---- errors shown to the user -------------------------------------------------------------

  const errors = document.getElementById("errors");
  function showError(key, message) {
    let p = errors.querySelector(`p[data-error-key="${key}"]`);
    if (!p) {
      p = document.createElement("p");
      p.dataset.errorKey = key;
      const text = document.createElement("span");
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "×";
      close.title = "Dismiss";
      close.addEventListener("click", () => p.remove());
      p.append(text, close);
      errors.append(p);
    }
    setText(p.firstChild, message);
  }
  function clearError(key) {
    errors.querySelector(`p[data-error-key="${key}"]`)?.remove();
  }

  // Fetches JSON; a failed request (network or non-2xx) throws an Error naming what went wrong.
  async function request(url, options) {
    let response;
    try {
      response = await fetch(url, options);
    } catch (e) {
      throw new Error("the app did not answer (" + e.message + ")");
    }
    const body = await response.text();
    let json = null;
    try { json = body ? JSON.parse(body) : null; } catch (e) { json = null; }
    if (!response.ok) {
      throw new Error((json && json.error) || ("HTTP " + response.status));
    }
    return json;
  }

  // ---- runs ---------------------------------------------------------------------------------

  function key(e) { return e.workflowId + "|" + (e.executionId || ""); }

  function addEvent(e) {
    const k = key(e);
    if (evicted.has(k)) return;
    let run = runs.get(k);
    if (!run) {
      run = { key: k, workflowId: e.workflowId, name: e.workflowName, executionId: e.executionId,
              events: [], ids: new Set(), status: "running", dirty: true, reordered: false, rows: 0, view: null };
      runs.set(k, run);
      evictOldest();
    }
    if (run.ids.has(e.eventId)) return;
    run.ids.add(e.eventId);
    const events = run.events;
    if (events.length === 0 || compare(events[events.length - 1], e) <= 0) {
      events.push(e);
    } else {
      let i = events.length - 1;
      while (i > 0 && compare(events[i - 1], e) > 0) i--;
      events.splice(i, 0, e);
      run.reordered = true;
    }
    eventCount++;
    run.dirty = true;
    statsDirty = true;
  }

  function compare(a, b) {
    return a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
  }

  function evictOldest() {
    while (runs.size > MAX_RUNS) {
      const [oldestKey, oldest] = runs.entries().next().value;
      runs.delete(oldestKey);
      oldest.view?.el.remove();
      eventCount -= oldest.events.length;
      evicted.add(oldestKey);
      if (evicted.size > MAX_EVICTED) evicted.delete(evicted.values().next().value);
      statsDirty = true;
    }
  }

  function ms(iso) { return Date.parse(iso); }

  function computeStatus(run) {
    let s = "running";
    for (const e of run.events) {
      switch (e.type) {
        case "workflow.queued": s = "queued"; break;
        case "workflow.started": case "workflow.resumed": s = "running"; break;
        case "workflow.paused": s = e.reason === "sleep" ? "sleeping" : "retrying"; break;
        case "workflow.completed": return "completed";
        case "workflow.failed": return "failed";
        case "workflow.cancelled": return "cancelled";
      }
    }
    return s;
  }

  function terminal(s) { return s === "completed" || s === "failed" || s === "cancelled"; }

  function span(run, now) {
    const start = ms(run.events[0].timestamp);
    const last = ms(run.events[run.events.length - 1].timestamp);
    const end = terminal(run.status) ? last : Math.max(last, now);
    return { start, end, length: Math.max(end - start, 1) };
  }

  function formatDuration(millis) {
    if (millis < 1000) return millis + " ms";
    if (millis < 60000) return (millis / 1000).toFixed(millis < 10000 ? 2 : 1) + " s";
    return Math.floor(millis / 60000) + " m " + Math.round((millis % 60000) / 1000) + " s";
  }

  // Lanes: one per step name, one for the workflow's waits (retry and sleep).
  function lanes(run, now) {
    const result = new Map();
    const lane = (name) => { if (!result.has(name)) result.set(name, { bars: [], markers: [] }); return result.get(name); };
    const open = new Map();
    let wait = null;
    let sleep = null;
    let queued = null;
    for (const e of run.events) {
      const t = ms(e.timestamp);
      switch (e.type) {
        case "workflow.queued": queued = t; lane("queued"); break;
        case "workflow.started":
          if (queued !== null) { lane("queued").bars.push({ from: queued, to: t, kind: "queued", title: `queued ${t - queued} ms` }); queued = null; }
          break;
        case "step.started": open.set(e.stepName, t); lane(e.stepName); break;
        case "step.completed": {
          const from = e.cached ? t : (open.get(e.stepName) ?? t - e.durationMs);
          lane(e.stepName).bars.push({ from, to: t, kind: e.cached ? "cached" : "ok", title: `${e.stepName} #${e.attempt} ${e.cached ? "from cache" : e.durationMs + " ms"}` });
          open.delete(e.stepName);
          break;
        }
        case "step.failed": {
          lane(e.stepName).bars.push({ from: open.get(e.stepName) ?? t, to: t, kind: "fail", title: `${e.stepName} #${e.attempt} failed: ${e.error.message}` });
          open.delete(e.stepName);
          break;
        }
        case "retry.scheduled": wait = { from: t, step: e.stepName, title: `retry ${e.stepName} in ${e.delayMs} ms` }; break;
        case "sleep.started": sleep = { from: t, title: `sleep ${e.durationMs} ms` }; break;
        case "workflow.resumed":
          if (wait) { lane(wait.step).bars.push({ from: wait.from, to: t, kind: "wait", title: wait.title }); wait = null; }
          break;
        case "sleep.completed":
          if (sleep) { lane("sleep").bars.push({ from: sleep.from, to: t, kind: "sleep", title: sleep.title }); sleep = null; }
          break;
        case "timeout.set": lane(e.stepName).markers.push({ at: ms(e.deadline), kind: "deadline", title: `deadline ${e.timeoutMs} ms` }); break;
      }
    }
    const done = terminal(run.status);
    const end = done ? ms(run.events[run.events.length - 1].timestamp) : now;
    for (const [step, from] of open) lane(step).bars.push({ from, to: end, kind: done ? "fail" : "running", title: `${step} running` });
    if (wait) lane(wait.step).bars.push({ from: wait.from, to: end, kind: "wait", title: wait.title });
    if (queued !== null) lane("queued").bars.push({ from: queued, to: end, kind: "queued", title: "queued" });
    if (sleep) lane("sleep").bars.push({ from: sleep.from, to: end, kind: "sleep", title: sleep.title });
    return result;
  }

  function details(e) {
    const parts = [];
    if (e.type === "workflow.started" || e.type === "workflow.queued") parts.push("input " + JSON.stringify(e.input));
    if (e.durationMs !== undefined) parts.push(e.durationMs + " ms");
    if (e.cached) parts.push("cached");
    if (e.delayMs !== undefined) parts.push("delay " + e.delayMs + " ms");
    if (e.timeoutMs !== undefined) parts.push("timeout " + e.timeoutMs + " ms");
    if (e.reason) parts.push("reason " + e.reason);
    if (e.willRetry !== undefined) parts.push(e.willRetry ? "will retry" : "no retry");
    if (e.completedSteps) parts.push("steps [" + e.completedSteps.join(", ") + "]");
    return parts.join(" · ");
  }

  // Builds a run's DOM once; later renders patch it.
  function createView(run) {
    const el = template.content.firstElementChild.cloneNode(true);
    el.dataset.workflowId = run.workflowId;
    const view = {
      el,
      badge: el.querySelector(".status"),
      name: el.querySelector(".name"),
      ids: el.querySelector(".ids"),
      duration: el.querySelector(".duration"),
      count: el.querySelector(".count"),
      timeline: el.querySelector(".timeline"),
      lanes: new Map(),
      ticks: [],
      tbody: el.querySelector("tbody"),
    };
    setText(view.name, run.name);
    setText(view.ids, run.workflowId + (run.executionId ? " · " + run.executionId : ""));
    const ticks = el.querySelector(".ticks");
    for (const fraction of TICK_FRACTIONS) {
      const tick = document.createElement("span");
      tick.style.left = fraction * 100 + "%";
      ticks.append(tick);
      view.ticks.push(tick);
    }
    runList.prepend(el);
    document.getElementById("empty").hidden = true;
    return view;
  }

  function laneView(view, name) {
    let lane = view.lanes.get(name);
    if (!lane) {
      const row = document.createElement("div");
      row.className = "lane";
      const label = document.createElement("span");
      label.className = "lane-label";
      label.textContent = name;
      label.title = name;
      const track = document.createElement("div");
      track.className = "track";
      row.append(label, track);
      view.timeline.append(row);
      lane = { track, bars: [], markers: [] };
      view.lanes.set(name, lane);
    }
    return lane;
  }

  // Makes `nodes` (of `track`) match `items`: reuses nodes by position, adds or removes the rest.
  function patchShapes(track, nodes, items, kindPrefix, place) {
    while (nodes.length < items.length) {
      const node = document.createElement("div");
      track.append(node);
      nodes.push(node);
    }
    while (nodes.length > items.length) nodes.pop().remove();
    items.forEach((item, i) => {
      const node = nodes[i];
      setAttr(node, "class", kindPrefix + item.kind);
      setAttr(node, "title", item.title);
      place(node, item);
    });
  }

  function render(run, now) {
    if (run.dirty) run.status = computeStatus(run);
    const view = run.view ?? (run.view = createView(run));
    const s = run.status;
    setAttr(view.el, "data-status", s);
    setText(view.badge, s);
    setAttr(view.badge, "class", "status status-" + s);
    const sp = span(run, now);
    setText(view.duration, formatDuration(sp.end - sp.start));
    setText(view.count, run.events.length + " events");

    const pct = (t) => Math.min(100, Math.max(0, ((t - sp.start) / sp.length) * 100));
    for (const [name, lane] of lanes(run, now)) {
      const lv = laneView(view, name);
      patchShapes(lv.track, lv.bars, lane.bars, "bar bar-", (node, b) => {
        setStyle(node, "left", pct(b.from).toFixed(2) + "%");
        setStyle(node, "width", Math.max(0.4, pct(b.to) - pct(b.from)).toFixed(2) + "%");
      });
      patchShapes(lv.track, lv.markers, lane.markers, "marker marker-", (node, m) => {
        setStyle(node, "left", pct(m.at).toFixed(2) + "%");
      });
    }
    setAttr(view.timeline, "aria-label", `${run.name} timeline, ${s}`);
    TICK_FRACTIONS.forEach((fraction, i) => setText(view.ticks[i], formatDuration(Math.round(sp.length * fraction))));

    if (run.dirty) renderRows(run, view, sp);
    run.dirty = false;
  }

  // Appends rows for new events; rebuilds the table only when an event arrived out of order.
  function renderRows(run, view, sp) {
    if (run.reordered) {
      view.tbody.replaceChildren();
      run.rows = 0;
      run.reordered = false;
    }
    for (; run.rows < run.events.length; run.rows++) {
      view.tbody.append(row(run.events[run.rows], sp.start));
    }
  }

  function row(e, start) {
    const tr = document.createElement("tr");
    tr.className = "event";
    tr.dataset.type = e.type;
    const cells = ["+" + (ms(e.timestamp) - start), null, e.stepName || "", e.attempt ?? e.attempts ?? "", details(e)];
    cells.forEach((text, i) => {
      const td = document.createElement("td");
      if (i === 1) {
        const type = document.createElement("span");
        type.className = "type type-" + e.type.split(".")[0]
          + (e.type.endsWith("failed") || e.type.endsWith("exceeded") || e.type.endsWith("exhausted") ? " type-bad" : "");
        type.textContent = e.type;
        td.append(type);
      } else {
        td.textContent = text;
      }
      tr.append(td);
    });
    if (e.error) {
      const err = document.createElement("div");
      err.className = "error";
      err.textContent = e.error.message + (e.error.stepName ? ` (step ${e.error.stepName}, attempt ${e.error.attempt})` : "");
      tr.lastChild.append(err);
    }
    return tr;
  }

  function renderStats() {
    setText(document.getElementById("stat-runs"), runs.size);
    setText(document.getElementById("stat-events"), eventCount);
    let failed = 0;
    for (const run of runs.values()) if (run.status === "failed") failed++;
    setText(document.getElementById("stat-failed"), failed);
    statsDirty = false;
  }

  function tick() {
    const now = Date.now();
    for (const run of runs.values()) {
      if (run.dirty || !terminal(run.status)) render(run, now);
    }
    if (statsDirty) renderStats();
    setTimeout(() => requestAnimationFrame(tick), TICK_MS);
  }

  // ---- operating panel ----------------------------------------------------------------------

  const panel = {
    emitted: document.getElementById("ops-emitted"),
    delivered: document.getElementById("ops-delivered"),
    pending: document.getElementById("ops-pending"),
    dropped: document.getElementById("ops-dropped"),
    queue: document.getElementById("ops-queue"),
    capacity: document.getElementById("ops-capacity"),
    fill: document.getElementById("ops-queue-fill"),
    reasons: document.getElementById("ops-reasons"),
    success: document.getElementById("ops-req-success"),
    retry: document.getElementById("ops-req-retry"),
    rejected: document.getElementById("ops-req-rejected"),
    failures: document.getElementById("ops-failures"),
    lastFailure: document.getElementById("ops-last-failure"),
    endpoint: document.getElementById("ops-endpoint"),
    state: document.getElementById("collector-state"),
    stored: document.getElementById("collector-stored"),
    duplicates: document.getElementById("collector-duplicates"),
    faulted: document.getElementById("collector-faulted"),
  };
  const reasonItems = new Map();

  function renderPanel(p) {
    setText(panel.emitted, p.emitted);
    setText(panel.delivered, p.delivered);
    setText(panel.pending, p.pending);
    setText(panel.dropped, p.dropped);
    const capacity = p.queueCapacity ?? 0;
    const size = p.queueSize ?? p.pending;
    setText(panel.queue, size);
    setText(panel.capacity, capacity || "–");
    const share = capacity ? size / capacity : 0;
    setStyle(panel.fill, "width", (Math.min(1, share) * 100).toFixed(1) + "%");
    setAttr(panel.fill, "class", "queue-fill" + (share >= 1 ? " full" : share >= 0.5 ? " high" : ""));
    for (const [reason, count] of Object.entries(p.droppedByReason)) {
      let li = reasonItems.get(reason);
      if (!li) {
        li = document.createElement("li");
        li.dataset.reason = reason;
        panel.reasons.append(li);
        reasonItems.set(reason, li);
      }
      setText(li, reason + " " + count);
      setAttr(li, "class", count > 0 ? "some" : "");
    }
    setText(panel.success, p.requests.success);
    setText(panel.retry, p.requests.retry);
    setText(panel.rejected, p.requests.rejected);
    setText(panel.failures, p.consecutiveFailures ?? 0);
    setText(panel.lastFailure, p.lastFailureReason || "none");
    setText(panel.endpoint, p.endpoint || "none");
    const c = p.collector;
    setAttr(panel.state, "data-state", c.fault);
    setAttr(panel.state, "class", "state state-" + c.fault);
    setText(panel.state, c.fault === "none" ? "healthy"
        : (c.fault === "fail" ? "answering 503" : "hanging") + " · " + c.faultSecondsLeft + " s left");
    setText(panel.stored, c.stored);
    setText(panel.duplicates, c.duplicates);
    setText(panel.faulted, c.faultedRequests);
  }

  async function pollPanel() {
    try {
      renderPanel(await request("/api/tracker"));
      clearError("panel");
    } catch (e) {
      showError("panel", "Operating panel: could not read the tracker's state: " + e.message);
    }
  }

  function schedulePanel() {
    pollPanel().finally(() => setTimeout(schedulePanel, PANEL_MS));
  }

  async function breakCollector() {
    const mode = document.getElementById("fault-mode").value;
    const seconds = document.getElementById("fault-seconds").value;
    try {
      await request(`/api/collector/fault?mode=${encodeURIComponent(mode)}&seconds=${encodeURIComponent(seconds)}`, { method: "POST" });
      clearError("fault");
    } catch (e) {
      showError("fault", "Could not break the collector: " + e.message);
    }
    pollPanel();
  }

  async function healCollector() {
    try {
      await request("/api/collector/fault", { method: "DELETE" });
      clearError("fault");
    } catch (e) {
      showError("fault", "Could not heal the collector: " + e.message);
    }
    pollPanel();
  }

  // ---- start-up -----------------------------------------------------------------------------

  function feed(state) {
    const el = document.getElementById("feed");
    setText(el, state);
    setAttr(el, "class", "feed feed-" + (state === "live" ? "live" : state === "connecting" ? "connecting" : "down"));
  }

  async function start(name, button) {
    button.disabled = true;
    try {
      await request("/api/workflows/" + encodeURIComponent(name), { method: "POST" });
      clearError("start");
    } catch (e) {
      showError("start", `Could not start ${name}: ${e.message}`);
    } finally {
      setTimeout(() => (button.disabled = false), 300);
    }
  }

  // Stored events of the newest MAX_RUNS runs only, so a long history never floods the page.
  function newestRuns(events) {
    const keys = new Set();
    for (const e of events) keys.add(key(e));
    const keep = new Set([...keys].slice(-MAX_RUNS));
    return events.filter((e) => keep.has(key(e)));
  }

  async function loadStored() {
    try {
      newestRuns(await request("/api/events")).forEach(addEvent);
      clearError("load");
    } catch (e) {
      showError("load", "Could not load stored events: " + e.message);
    }
  }

  async function init() {
    document.getElementById("fault-start").addEventListener("click", breakCollector);
    document.getElementById("fault-stop").addEventListener("click", healCollector);
    schedulePanel();
    tick();
    let names;
    try {
      names = await request("/api/workflows");
    } catch (e) {
      showError("init", "Could not list the demo workflows: " + e.message);
      names = [];
    }
    const buttons = document.getElementById("buttons");
    for (const name of names) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.workflow = name;
      button.textContent = name;
      if (descriptions[name]) {
        const hint = document.createElement("span");
        hint.className = "hint";
        hint.textContent = descriptions[name];
        button.append(hint);
      }
      button.addEventListener("click", () => start(name, button));
      buttons.append(button);
    }
    // Load what is stored once the live feed is open (and again after each reconnect): anything
    // stored in between arrives on the feed, and duplicates are ignored by eventId.
    const source = new EventSource("/api/events/stream");
    source.addEventListener("open", () => { feed("live"); loadStored(); });
    source.addEventListener("error", () => feed(source.readyState === EventSource.CLOSED ? "down" : "connecting"));
    source.addEventListener("workflow-event", (m) => addEvent(JSON.parse(m.data)));
  }

  init();
})();
