"use strict";

// Live timeline of workflow runs: loads /api/events, then follows /api/events/stream (SSE).
(() => {
  const runs = new Map();          // key -> run state
  const seen = new Set();          // eventIds already shown
  const runList = document.getElementById("runs");
  const template = document.getElementById("run-template");
  let eventCount = 0;
  let dirty = new Set();

  const descriptions = {
    "order-fulfillment": "retry, sleep, completes",
    "payment-failure": "retries exhausted",
    "report-timeout": "step times out",
    "queued-import": "queued, then runs",
    "cancelled-shipment": "cancelled midway",
  };

  function key(e) { return e.workflowId + "|" + (e.executionId || ""); }

  function addEvent(e) {
    if (seen.has(e.eventId)) return;
    seen.add(e.eventId);
    eventCount++;
    const k = key(e);
    let run = runs.get(k);
    if (!run) {
      run = { key: k, workflowId: e.workflowId, name: e.workflowName, executionId: e.executionId, events: [], el: null };
      runs.set(k, run);
    }
    run.events.push(e);
    run.events.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : (a.eventId < b.eventId ? -1 : 1)));
    dirty.add(run);
  }

  function ms(iso) { return Date.parse(iso); }

  function status(run) {
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
    const end = terminal(status(run)) ? last : Math.max(last, now);
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
    const done = terminal(status(run));
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

  function render(run, now) {
    if (!run.el) {
      run.el = template.content.firstElementChild.cloneNode(true);
      run.el.dataset.workflowId = run.workflowId;
      runList.prepend(run.el);
      document.getElementById("empty").hidden = true;
    }
    const el = run.el;
    const s = status(run);
    el.dataset.status = s;
    const badge = el.querySelector(".status");
    badge.textContent = s;
    badge.className = "status status-" + s;
    el.querySelector(".name").textContent = run.name;
    el.querySelector(".ids").textContent = run.workflowId + (run.executionId ? " · " + run.executionId : "");
    const sp = span(run, now);
    el.querySelector(".duration").textContent = formatDuration(sp.end - sp.start);
    el.querySelector(".count").textContent = run.events.length + " events";

    const timeline = el.querySelector(".timeline");
    timeline.replaceChildren();
    const pct = (t) => Math.min(100, Math.max(0, ((t - sp.start) / sp.length) * 100));
    for (const [name, lane] of lanes(run, now)) {
      const row = document.createElement("div");
      row.className = "lane";
      const label = document.createElement("span");
      label.className = "lane-label";
      label.textContent = name;
      label.title = name;
      const track = document.createElement("div");
      track.className = "track";
      row.append(label, track);
      for (const b of lane.bars) {
        const bar = document.createElement("div");
        bar.className = "bar bar-" + b.kind;
        bar.style.left = pct(b.from) + "%";
        bar.style.width = Math.max(0.4, pct(b.to) - pct(b.from)) + "%";
        bar.title = b.title;
        track.append(bar);
      }
      for (const m of lane.markers) {
        const marker = document.createElement("div");
        marker.className = "marker marker-" + m.kind;
        marker.style.left = pct(m.at) + "%";
        marker.title = m.title;
        track.append(marker);
      }
      timeline.append(row);
    }
    timeline.setAttribute("aria-label", `${run.name} timeline, ${s}`);
    const ticks = el.querySelector(".ticks");
    ticks.replaceChildren();
    for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
      const tick = document.createElement("span");
      tick.style.left = fraction * 100 + "%";
      tick.textContent = formatDuration(Math.round(sp.length * fraction));
      ticks.append(tick);
    }

    const body = el.querySelector("tbody");
    body.replaceChildren();
    for (const e of run.events) {
      const tr = document.createElement("tr");
      tr.className = "event";
      tr.dataset.type = e.type;
      const cells = [
        "+" + (ms(e.timestamp) - sp.start),
        null,
        e.stepName || "",
        e.attempt ?? e.attempts ?? "",
        details(e),
      ];
      cells.forEach((text, i) => {
        const td = document.createElement("td");
        if (i === 1) {
          const span = document.createElement("span");
          span.className = "type type-" + e.type.split(".")[0] + (e.type.endsWith("failed") || e.type.endsWith("exceeded") || e.type.endsWith("exhausted") ? " type-bad" : "");
          span.textContent = e.type;
          td.append(span);
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
      body.append(tr);
    }
  }

  function renderStats() {
    document.getElementById("stat-runs").textContent = runs.size;
    document.getElementById("stat-events").textContent = eventCount;
    document.getElementById("stat-failed").textContent = [...runs.values()].filter((r) => status(r) === "failed").length;
  }

  function tick() {
    const now = Date.now();
    for (const run of runs.values()) {
      if (dirty.has(run) || !terminal(status(run))) render(run, now);
    }
    if (dirty.size) renderStats();
    dirty = new Set();
    requestAnimationFrame(() => setTimeout(tick, 200));
  }

  function feed(state) {
    const el = document.getElementById("feed");
    el.textContent = state;
    el.className = "feed feed-" + (state === "live" ? "live" : state === "connecting" ? "connecting" : "down");
  }

  async function start(name, button) {
    button.disabled = true;
    try {
      const response = await fetch("/api/workflows/" + encodeURIComponent(name), { method: "POST" });
      if (!response.ok) throw new Error(response.status);
    } finally {
      setTimeout(() => (button.disabled = false), 300);
    }
  }

  async function init() {
    const names = await (await fetch("/api/workflows")).json();
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
    source.addEventListener("open", async () => {
      feed("live");
      const existing = await (await fetch("/api/events")).json();
      existing.forEach(addEvent);
    });
    source.addEventListener("error", () => feed(source.readyState === EventSource.CLOSED ? "down" : "connecting"));
    source.addEventListener("workflow-event", (m) => addEvent(JSON.parse(m.data)));
    tick();
  }

  init();
})();
