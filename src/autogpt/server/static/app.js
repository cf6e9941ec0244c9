/* AutoGPT web UI: plain JS, no build step. Talks to the server's /ap/v1 API (see docs/server.md).
 *
 * Model output is only ever put on the page as text (textContent / text nodes), never as HTML.
 */
"use strict";

(() => {
  const API = "/ap/v1/agent/tasks";
  const STRINGS = window.AUTOGPT_I18N;
  const TERMINAL = new Set(["finished", "max_steps", "max_tokens", "max_cost", "max_time", "stuck", "stopped",
    "error", "interrupted"]);
  const EVENT_TYPES = ["task", "run_started", "status", "thinking", "token", "proposed", "notice", "tool_started",
    "tool_finished", "step_finished", "run_finished"];
  const TEXT_EXT = new Set(["txt", "md", "markdown", "py", "json", "jsonl", "csv", "tsv", "html", "htm", "css", "js",
    "ts", "yaml", "yml", "toml", "ini", "cfg", "conf", "sh", "log", "xml", "sql", "c", "h", "cpp", "hpp", "java",
    "go", "rs", "rb", "php", "tex", "rst", "svg", "env", "gitignore"]);
  const VIEW_LIMIT = 256 * 1024;
  const LONG_LINES = 12;
  const LONG_CHARS = 1200;

  // --- state ----------------------------------------------------------------------------------------------

  const S = {
    lang: pickLanguage(),
    token: null,
    needToken: false,
    tasks: [],
    taskId: null,
    task: null,
    events: [], // stored events of the selected task, in order (tokens and task snapshots excluded)
    lastSeq: 0,
    live: null, // {step, attempt, text, message, progress}: the model is thinking
    tool: null, // {step, name}: a command is running
    stopping: false,
    busy: new Set(), // task ids with a POST steps/run in flight
    feedback: {}, // "taskId:step" -> feedback text sent from this page
    open: new Set(), // keys of <details> the user opened
    artifacts: [],
    viewer: null,
    es: null,
    retry: 0,
    retryTimer: null,
    mode: "simple",
  };
  const entryCache = new Map(); // timeline entry key -> {sig, el}

  // --- small helpers --------------------------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);

  function pickLanguage() {
    const saved = localStorage.getItem("autogpt.lang");
    if (saved === "en" || saved === "zh") return saved;
    return (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
  }

  function t(key, vars) {
    let text = (STRINGS[S.lang] && STRINGS[S.lang][key]) ?? STRINGS.en[key] ?? key;
    if (vars) for (const [k, v] of Object.entries(vars)) text = text.split(`{${k}}`).join(String(v));
    return text;
  }

  /** Build an element; string children become text nodes (never HTML). */
  function h(tag, props, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v == null || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const kid of kids.flat(Infinity)) if (kid != null && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
    return el;
  }

  /** An open event stream delivers task snapshots in order; an HTTP answer may be older than the last one. */
  const streaming = () => !!S.es && S.es.readyState === EventSource.OPEN;
  const statusText = (status) => t(`status_${status}`);
  const isTerminal = (task) => !!task && TERMINAL.has(task.status);
  const taskUrl = (id, rest = "") => `${API}/${encodeURIComponent(id)}${rest}`;
  const fmtInt = (n) => Number(n || 0).toLocaleString(S.lang === "zh" ? "zh-CN" : "en-US");
  const fmtCost = (c) => (!c ? "$0" : c < 0.01 ? `$${Number(c).toFixed(4)}` : `$${Number(c).toFixed(2)}`);

  function fmtTime(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return "";
    return d.toLocaleString(S.lang === "zh" ? "zh-CN" : "en-US",
      { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }

  function toast(message) {
    const el = $("toast");
    el.textContent = message;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { el.hidden = true; }, 6000);
  }

  class ApiError extends Error {
    constructor(status, detail) { super(detail); this.status = status; }
  }

  /** Every call but a GET sends JSON (even an empty object): the server refuses other bodies, which another
   *  site's page could send. */
  async function api(method, path, body) {
    const headers = {};
    if (S.token) headers.Authorization = `Bearer ${S.token}`;
    const sendsBody = method !== "GET";
    if (sendsBody) headers["Content-Type"] = "application/json";
    let res;
    try {
      res = await fetch(path, { method, headers, body: sendsBody ? JSON.stringify(body ?? {}) : undefined });
    } catch (e) {
      throw new ApiError(0, t("networkError"));
    }
    if (res.status === 401) {
      S.needToken = true;
      showView("token");
      throw new ApiError(401, t("tokenText"));
    }
    const data = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(res.status, (data && (data.detail || data.error)) || res.statusText);
    return data;
  }

  const fail = (e) => toast(t("requestFailed", { detail: e.message }));

  // --- views and routing ----------------------------------------------------------------------------------

  function showView(name) {
    for (const v of ["welcome", "token", "new", "task"]) $(`view-${v}`).hidden = v !== name;
    document.body.dataset.view = name;
  }

  function route() {
    const hash = location.hash;
    if (hash === "#/new") {
      openForm();
    } else if (hash.startsWith("#/task/")) {
      selectTask(decodeURIComponent(hash.slice(7)));
    } else if (S.tasks.length) {
      location.replace(`#/task/${encodeURIComponent(S.tasks[0].task_id)}`);
    } else {
      closeStream();
      S.taskId = null;
      showView("welcome");
      renderTaskList();
    }
    $("sidebar").dataset.open = "false";
    $("list-toggle").setAttribute("aria-expanded", "false");
  }

  // --- task list ------------------------------------------------------------------------------------------

  async function loadTasks() {
    try {
      const data = await api("GET", `${API}?page=1&page_size=100`);
      S.tasks = data.tasks || [];
      const i = S.tasks.findIndex((x) => x.task_id === S.taskId);
      if (i >= 0 && S.task && streaming()) S.tasks[i] = S.task; // the stream's snapshot is the newest
      else if (i >= 0 && S.task && S.tasks[i].modified_at !== S.task.modified_at) refreshTask();
      renderTaskList();
    } catch (e) {
      if (e.status !== 401) console.warn(e);
    }
  }

  function upsertTask(task) {
    const i = S.tasks.findIndex((x) => x.task_id === task.task_id);
    if (i >= 0) S.tasks[i] = task;
    else S.tasks.unshift(task);
    renderTaskList();
  }

  function renderTaskList() {
    const list = $("task-list");
    $("task-count").textContent = S.tasks.length ? `(${S.tasks.length})` : "";
    if (!S.tasks.length) {
      list.replaceChildren(h("li", { class: "muted empty" }, t("noTasks")));
      return;
    }
    list.replaceChildren(...S.tasks.map((task) => {
      const current = task.task_id === S.taskId;
      const title = (task.goals && task.goals[0]) || task.input || task.task_id;
      return h("li", null, h("a", {
        class: "task-item", href: `#/task/${encodeURIComponent(task.task_id)}`, "data-testid": "task-item",
        "data-task-id": task.task_id, "data-status": task.status, "aria-current": current ? "page" : null,
      },
      h("span", { class: "task-item-title" }, title),
      h("span", { class: "task-item-meta" },
        h("span", { class: `badge small s-${task.status}`, "data-testid": "task-badge", "data-status": task.status },
          statusText(task.status)),
        h("span", { class: "muted" }, [task.name, fmtTime(task.created_at)].filter(Boolean).join(" · ")))));
    }));
  }

  // --- the selected task ----------------------------------------------------------------------------------

  async function selectTask(id, known) {
    showView("task");
    if (id === S.taskId && S.task) {
      renderAll();
      return;
    }
    closeStream();
    Object.assign(S, { taskId: id, task: known || null, events: [], lastSeq: 0, live: null, tool: null,
      stopping: false, artifacts: [], viewer: null, retry: 0 });
    entryCache.clear();
    renderAll();
    if (!known) {
      try {
        S.task = await api("GET", taskUrl(id));
      } catch (e) {
        if (S.taskId === id) {
          fail(e);
          if (e.status === 404) location.replace("#/");
        }
        return;
      }
      if (S.taskId !== id) return;
    }
    upsertTask(S.task);
    renderAll();
    openStream();
    loadArtifacts();
  }

  /** Re-read the task over HTTP, unless the event stream is keeping it up to date. */
  async function refreshTask(force = false) {
    const id = S.taskId;
    if (!id || (streaming() && !force)) return;
    try {
      const task = await api("GET", taskUrl(id));
      if (S.taskId !== id) return;
      S.task = task;
      upsertTask(task);
      if (Array.isArray(task.artifacts)) S.artifacts = task.artifacts;
      if (isTerminal(task)) S.live = S.tool = null;
      renderAll();
    } catch (e) {
      if (e.status !== 401) console.warn(e);
    }
  }

  async function loadArtifacts() {
    const id = S.taskId;
    if (!id) return;
    try {
      const data = await api("GET", taskUrl(id, "/artifacts?page=1&page_size=100"));
      if (S.taskId !== id) return;
      S.artifacts = data.artifacts || [];
      renderArtifacts();
    } catch (e) {
      if (e.status !== 401) console.warn(e);
    }
  }

  let artifactTimer = null;
  function loadArtifactsSoon() {
    clearTimeout(artifactTimer);
    artifactTimer = setTimeout(loadArtifacts, 300);
  }

  // --- live events ----------------------------------------------------------------------------------------

  function openStream() {
    const id = S.taskId;
    if (!id || S.es) return;
    clearTimeout(S.retryTimer);
    const params = new URLSearchParams();
    if (S.lastSeq) params.set("after", String(S.lastSeq));
    if (S.token) params.set("token", S.token);
    const query = params.toString();
    const es = new EventSource(taskUrl(id, `/events${query ? `?${query}` : ""}`));
    S.es = es;
    for (const type of EVENT_TYPES) es.addEventListener(type, (e) => onEvent(type, e));
    es.onmessage = (e) => onEvent(null, e);
    es.onopen = () => {
      S.retry = 0;
      $("banner").hidden = true;
    };
    es.onerror = () => {
      if (S.es !== es) return;
      es.close();
      S.es = null;
      if (isTerminal(S.task)) return; // nothing more will happen
      const wait = Math.min(1000 * 2 ** S.retry, 10000);
      S.retry += 1;
      if (S.retry > 2) {
        $("banner").textContent = t("reconnecting");
        $("banner").hidden = false;
      }
      S.retryTimer = setTimeout(() => { if (S.taskId === id) openStream(); }, wait);
    };
  }

  function closeStream() {
    clearTimeout(S.retryTimer);
    if (S.es) S.es.close();
    S.es = null;
    $("banner").hidden = true;
  }

  /** Make sure the stream is open now (after an action, don't wait for the reconnect back-off). */
  function ensureStream() {
    if (!S.es) {
      S.retry = 0;
      openStream();
    }
  }

  function onEvent(type, e) {
    let data;
    try {
      data = JSON.parse(e.data);
    } catch {
      return;
    }
    type = type || (data && data.type);
    if (!type || !data) return;
    // Stored events carry their number as the SSE id; task snapshots and tokens have none (and an EventSource
    // then repeats the previous id), so only stored events are numbered and de-duplicated.
    if (type !== "task" && type !== "token") {
      const seq = Number(e.lastEventId) || 0;
      if (seq && seq <= S.lastSeq) return; // already seen (replayed after a reconnect)
      if (seq) S.lastSeq = seq;
    }
    if (type === "task") {
      const task = data.task_id ? data : data.task;
      if (!task || task.task_id !== S.taskId) return;
      S.task = task;
      upsertTask(task);
      if (Array.isArray(task.artifacts)) S.artifacts = task.artifacts;
      if (isTerminal(task)) {
        S.live = S.tool = null;
        S.stopping = false;
        loadArtifactsSoon();
      }
      if (task.status === "waiting") S.live = S.tool = null;
      if (task.status === "waiting") S.stopping = false; // a stop asked while thinking lands here: ask again
      scheduleRender();
      return;
    }
    if (data.depth > 0) {
      // A helper the task delegated to: its steps reach the page with the task (task.children), not here.
      if (type === "run_finished" || type === "step_finished") refreshTask(true);
      return;
    }
    const ev = { ...data, type };
    switch (type) {
      case "status":
        S.live = { ...(S.live || { step: 0, text: "" }), message: ev.message, progress: ev.progress };
        renderActivity();
        return;
      case "thinking":
        S.live = { step: ev.step, attempt: ev.attempt || 1, text: "" };
        S.tool = null;
        renderActivity();
        return;
      case "token":
        if (!S.live || (ev.step && S.live.step && ev.step !== S.live.step)) S.live = { step: ev.step, text: "" };
        S.live.text = (S.live.text || "") + (ev.text || "");
        scheduleLive();
        return;
      case "proposed":
        S.live = null;
        if (S.task && ev.thoughts && Array.isArray(ev.thoughts.plan) && ev.thoughts.plan.length) {
          S.task = { ...S.task, plan: ev.thoughts.plan };
        }
        break;
      case "tool_started":
        S.live = null;
        S.tool = { step: ev.step, name: ev.name };
        break;
      case "tool_finished":
        S.tool = null;
        loadArtifactsSoon();
        break;
      case "step_finished":
        if (S.task) {
          S.task = { ...S.task, steps: Math.max(S.task.steps || 0, ev.step || 0),
            tokens: ev.total_tokens ?? S.task.tokens, cost: ev.total_cost ?? S.task.cost };
        }
        break;
      case "run_finished":
        S.live = S.tool = null;
        S.stopping = false;
        if (S.task) S.task = { ...S.task, status: ev.status || S.task.status, summary: ev.summary ?? S.task.summary };
        loadArtifactsSoon();
        break;
      default:
        break;
    }
    S.events.push(ev);
    scheduleRender();
  }

  let renderQueued = false;
  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      renderAll();
    });
  }

  let liveQueued = false;
  function scheduleLive() {
    if (liveQueued) return;
    liveQueued = true;
    requestAnimationFrame(() => {
      liveQueued = false;
      renderActivity();
    });
  }

  // --- actions --------------------------------------------------------------------------------------------

  async function sendStep(input) {
    const id = S.taskId;
    if (!id || S.busy.has(id)) return;
    S.busy.add(id);
    if (S.task && S.task.status === "waiting") S.task = { ...S.task, status: "running", pending: null };
    renderAll();
    ensureStream();
    let failed = false;
    try {
      await api("POST", taskUrl(id, "/steps"), { input });
    } catch (e) {
      failed = true;
      fail(e);
    } finally {
      S.busy.delete(id);
      if (S.taskId === id) await refreshTask(failed);
      renderAll();
    }
  }

  async function runToEnd() {
    const id = S.taskId;
    if (!id) return;
    ensureStream();
    try {
      const task = await api("POST", taskUrl(id, "/run"));
      if (S.taskId === id && task && task.task_id && !streaming()) {
        S.task = task;
        upsertTask(task);
        renderAll();
      }
    } catch (e) {
      fail(e);
    }
  }

  async function stopTask() {
    const id = S.taskId;
    if (!id) return;
    S.stopping = true;
    renderControl();
    try {
      await api("POST", taskUrl(id, "/stop"));
    } catch (e) {
      S.stopping = false;
      fail(e);
      if (S.taskId === id) await refreshTask(true);
      return;
    }
    if (S.taskId === id) await refreshTask();
  }

  function sendFeedback() {
    const text = $("feedback-input").value.trim();
    if (!text) {
      $("feedback-input").focus();
      return;
    }
    const step = S.task && S.task.pending ? S.task.pending.step : null; // null: an answer to ask_user
    if (step != null) S.feedback[`${S.taskId}:${step}`] = text;
    $("feedback-input").value = "";
    sendStep(text);
  }

  // --- rendering: the task --------------------------------------------------------------------------------

  function renderAll() {
    if (!S.task) {
      $("task-name").textContent = "";
      $("timeline").replaceChildren();
      $("control").hidden = true;
      return;
    }
    const scroller = scrollerEl();
    const nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 160;
    renderHeader();
    renderPlan();
    renderTimeline();
    renderControl();
    renderArtifacts();
    if (nearBottom && S.events.length) scroller.scrollTop = scroller.scrollHeight;
  }

  function scrollerEl() {
    const main = $("main");
    return getComputedStyle(main).overflowY === "auto" ? main : document.scrollingElement;
  }

  function renderHeader() {
    const task = S.task;
    $("task-name").textContent = task.name || "AutoGPT";
    const badge = $("status-badge");
    badge.textContent = statusText(task.status);
    badge.className = `badge s-${task.status}`;
    badge.dataset.status = task.status;
    $("task-role").textContent = task.role || "";
    $("task-role").hidden = !task.role;
    $("task-goals").replaceChildren(...(task.goals || [task.input]).map((g) => h("li", null, g)));
    $("stat-steps").textContent = fmtInt(task.steps);
    $("stat-tokens").textContent = fmtInt(task.tokens);
    $("stat-cost").textContent = fmtCost(task.cost);
    $("stat-mode").textContent = task.continuous ? t("modeContinuous") : t("modeApproval");
    const ended = isTerminal(task) && task.summary;
    $("task-summary").hidden = !ended;
    $("task-summary-text").textContent = ended ? task.summary : "";
    document.title = `${task.name || "AutoGPT"} · ${statusText(task.status)}`;
  }

  function renderPlan() {
    const plan = (S.task && S.task.plan) || [];
    $("plan-empty").hidden = plan.length > 0;
    $("plan").replaceChildren(...plan.map((item) => {
      const status = ["todo", "doing", "done"].includes(item.status) ? item.status : "todo";
      return h("li", { class: `plan-item p-${status}`, "data-testid": "plan-item", "data-status": status },
        h("span", { class: "check", role: "img", "aria-label": t(`plan_${status}`), title: t(`plan_${status}`) }),
        h("span", { class: "plan-text" }, item.task || ""));
    }));
  }

  /** Group the event log into timeline entries: run start/end and one entry per step. */
  function timelineItems() {
    const items = [];
    const steps = new Map();
    const stepOf = (n) => {
      let s = steps.get(n);
      if (!s) {
        s = { n, notices: [] };
        steps.set(n, s);
        items.push({ key: `step-${n}`, kind: "step", s });
      }
      return s;
    };
    for (const ev of S.events) {
      if (ev.type === "run_started" || ev.type === "run_finished") {
        items.push({ key: `${ev.type}-${items.length}`, kind: ev.type, ev });
      } else if (ev.type === "proposed") {
        Object.assign(stepOf(ev.step), { thoughts: ev.thoughts || {}, command: ev.command || {} });
      } else if (ev.type === "notice") {
        stepOf(ev.step).notices.push({ message: ev.message, level: ev.level || "info" });
      } else if (ev.type === "tool_started") {
        const s = stepOf(ev.step);
        s.started = true;
        s.command = s.command || { name: ev.name, args: ev.args };
      } else if (ev.type === "tool_finished") {
        stepOf(ev.step).result = { ok: ev.ok, output: ev.output || "", seconds: ev.seconds };
      } else if (ev.type === "step_finished") {
        stepOf(ev.step).kind = ev.kind;
      }
    }
    return items;
  }

  /** The command that is waiting for the user's answer (ask_user): started, not finished, task waiting. */
  function openQuestion() {
    if (!S.task || S.task.status !== "waiting" || S.task.pending) return null;
    let open = null;
    for (const ev of S.events) {
      if (ev.type === "tool_started") open = ev;
      else if (ev.type === "tool_finished" || ev.type === "run_finished") open = null;
    }
    if (!open) return null;
    const args = open.args || {};
    const question = typeof args.question === "string" ? args.question : JSON.stringify(args);
    return { step: open.step, question };
  }

  function stepState(s) {
    const task = S.task;
    const question = openQuestion();
    if (question && question.step === s.n && !s.result) return ["waiting", t("waitingAnswer")];
    if (s.kind === "error") return ["error", t("errorStep")];
    if (s.kind === "feedback") return ["feedback", t("feedbackStep")];
    if (s.result) return s.result.ok ? ["ok", t("resultOk")] : ["failed", t("resultFailed")];
    if (s.started) return isTerminal(task) ? ["failed", t("notRun")] : ["running", t("running")];
    if (s.kind) return ["muted", t("notRun")];
    if (task && task.status === "waiting" && task.pending && task.pending.step === s.n) {
      return ["waiting", t("waitingApproval")];
    }
    return ["muted", ""];
  }

  function renderTimeline() {
    const items = timelineItems();
    $("timeline-empty").hidden = items.length > 0;
    const els = items.map((item) => {
      const state = item.kind === "step" ? stepState(item.s) : null;
      const fb = item.kind === "step" ? S.feedback[`${S.taskId}:${item.s.n}`] : null;
      const helpers = item.kind === "step" ? helpersOf(item.s.n) : null;
      const sig = JSON.stringify([S.lang, item, state, fb, helpers]);
      const cached = entryCache.get(item.key);
      if (cached && cached.sig === sig) return cached.el;
      const el = item.kind === "step" ? stepEntry(item.s, state, fb) : runEntry(item);
      entryCache.set(item.key, { sig, el });
      return el;
    });
    const list = $("timeline");
    const same = els.length === list.children.length && els.every((el, i) => list.children[i] === el);
    if (!same) list.replaceChildren(...els);
  }

  function runEntry(item) {
    const ev = item.ev;
    if (item.kind === "run_started") {
      return h("li", { class: "entry run", "data-testid": "timeline-entry", "data-kind": "run_started" },
        h("span", { class: "dot" }), h("strong", null, t("runStarted")),
        ev.model ? h("span", { class: "muted" }, ` · ${t("runStartedDetail", { model: ev.model })}`) : null);
    }
    const good = ev.status === "finished";
    return h("li", { class: `entry run end ${good ? "good" : "bad"}`, "data-testid": "timeline-entry",
      "data-kind": "run_finished", "data-status": ev.status },
    h("span", { class: "dot" }), h("strong", null, t("runEnded", { status: statusText(ev.status) })),
    ev.summary ? h("p", { class: "run-summary" }, ev.summary) : null,
    ev.error ? h("p", { class: "run-error" }, ev.error) : null);
  }

  function stepEntry(s, [stateClass, stateLabel], feedback) {
    const th = s.thoughts || {};
    const body = [];
    if (th.speak) body.push(h("p", { class: "speak" }, th.speak));
    const details = [["observations", th.observations], ["reasoning", th.reasoning], ["criticism", th.criticism]]
      .filter(([, v]) => v);
    if (details.length) {
      body.push(h("dl", { class: "thoughts" }, details.map(([k, v]) => [h("dt", null, t(k)), h("dd", null, v)])));
    }
    for (const n of s.notices) body.push(h("p", { class: `notice ${n.level}` }, n.message));
    // The step waiting for approval shows its command in the proposal card below the timeline.
    if (s.command && s.command.name && stateClass !== "waiting") body.push(commandBlock(s.command, `args-${s.n}`));
    if (feedback && s.kind === "feedback") {
      body.push(h("div", { class: "feedback-given" }, h("span", { class: "label" }, t("yourFeedback")), h("p", null, feedback)));
    }
    if (s.result) body.push(resultBlock(s.result, `out-${s.n}`));
    for (const child of helpersOf(s.n)) body.push(helperBlock(child));
    return h("li", { class: `entry step st-${stateClass}`, "data-testid": "timeline-entry", "data-kind": "step",
      "data-step": s.n, "data-state": stateClass },
    h("div", { class: "entry-head" },
      h("span", { class: "step-no" }, t("step", { n: s.n })),
      s.command && s.command.name ? h("code", { class: "cmd-pill" }, s.command.name) : null,
      stateLabel ? h("span", { class: `tag ${stateClass}` }, stateLabel) : null),
    body);
  }

  /** The helper runs a step delegated to (the task's children whose parent_step is that step). */
  function helpersOf(n, children) {
    const list = children || (S.task && S.task.children) || [];
    return list.filter((c) => c.parent_step === n);
  }

  /** A helper run, nested in the step that started it: its goal, status, steps (and their helpers), result. */
  function helperBlock(child) {
    const steps = (child.steps || []).map((st) => h("li", { class: `helper-step ${st.ok ? "ok" : "failed"}` },
      h("span", { class: "step-no" }, t("step", { n: st.number })),
      h("code", { class: "cmd-pill" }, st.command),
      h("span", { class: "muted" }, ` ${st.ok ? "✓" : "✗"} ${(st.observation || "").slice(0, 140)}`),
      ...helpersOf(st.number, child.children).map(helperBlock)));
    return h("div", { class: "helper", "data-testid": "helper", "data-status": child.status },
      h("div", { class: "helper-head" },
        h("strong", null, `↳ ${t("helper", { name: child.name })}`),
        h("span", { class: `tag ${child.status === "finished" ? "ok" : "muted"}` }, statusText(child.status)),
        h("span", { class: "muted" }, ` ${(child.goals || []).join("; ")}`)),
      h("ol", { class: "helper-steps" }, steps),
      child.summary ? h("p", { class: "run-summary" }, `${t("helperResult")}: ${child.summary}`) : null);
  }

  function isLong(text) {
    return text.length > LONG_CHARS || text.split("\n").length > LONG_LINES;
  }

  /** A <details> that remembers whether the user opened it across re-renders. */
  function collapsible(key, summary, content) {
    const d = h("details", { class: "collapsible", open: S.open.has(key) }, h("summary", null, summary), content);
    d.addEventListener("toggle", () => (d.open ? S.open.add(key) : S.open.delete(key)));
    return d;
  }

  function commandBlock(command, key) {
    const args = command.args && typeof command.args === "object" ? Object.entries(command.args) : [];
    const rows = args.map(([name, value]) => {
      const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
      const multi = text.includes("\n") || text.length > 100;
      let shown = multi ? h("pre", null, text) : h("code", null, text);
      if (isLong(text)) shown = collapsible(`${key}-${name}`, t("showOutput", { n: text.split("\n").length }), shown);
      return [h("dt", null, name), h("dd", null, shown)];
    });
    return h("div", { class: "command", "data-testid": "command" },
      h("div", { class: "command-name" }, h("span", { class: "label" }, t("command")), h("code", null, command.name)),
      rows.length ? h("dl", { class: "args" }, rows) : h("p", { class: "muted small" }, t("noArgs")));
  }

  function resultBlock(result, key) {
    const output = String(result.output || "");
    const head = h("div", { class: "result-head" },
      h("span", { class: `tag ${result.ok ? "ok" : "failed"}` }, result.ok ? t("resultOk") : t("resultFailed")),
      result.seconds != null ? h("span", { class: "muted small" }, t("seconds", { s: Number(result.seconds).toFixed(1) })) : null);
    let out = output ? h("pre", { class: "output" }, output) : null;
    if (out && isLong(output)) out = collapsible(key, t("showOutput", { n: output.split("\n").length }), out);
    return h("div", { class: `result ${result.ok ? "ok" : "failed"}`, "data-testid": "result", "data-ok": String(!!result.ok) },
      head, out);
  }

  // --- rendering: the control card (activity, proposal, buttons) -------------------------------------------

  function renderControl() {
    const task = S.task;
    const card = $("control");
    if (!task || isTerminal(task)) {
      card.hidden = true;
      return;
    }
    card.hidden = false;
    const busy = S.busy.has(task.task_id);
    const waiting = task.status === "waiting" && !!task.pending && !busy;
    const question = busy ? null : openQuestion();
    $("not-started").hidden = !(task.status === "created" && !busy);
    $("start-run").disabled = busy;

    // The card asks to approve the pending command, or (ask_user) for an answer to the agent's question.
    const proposal = $("proposal");
    proposal.hidden = !waiting && !question;
    proposal.dataset.mode = question ? "question" : "approve";
    $("decision").hidden = !!question;
    $("proposal-command").hidden = !!question;
    $("feedback-input").placeholder = t(question ? "answerPlaceholder" : "feedbackPlaceholder");
    $("feedback-send").textContent = t(question ? "sendAnswer" : "sendFeedback");
    if (waiting) {
      const p = task.pending;
      proposal.dataset.step = p.step;
      $("proposal-title").textContent = t("proposalTitle", { n: p.step });
      $("proposal-speak").textContent = (p.thoughts && p.thoughts.speak) || "";
      $("proposal-command").replaceChildren(commandBlock(p.command || {}, `pending-${p.step}`));
    } else if (question) {
      proposal.dataset.step = question.step;
      $("proposal-title").textContent = t("questionTitle", { n: question.step });
      $("proposal-speak").textContent = question.question;
    }
    for (const id of ["approve", "reject"]) $(id).disabled = !waiting;
    $("feedback-send").disabled = !waiting && !question;
    $("feedback-input").disabled = !waiting && !question;
    $("run-to-end").hidden = !!task.continuous;
    $("run-to-end").disabled = busy || S.stopping;
    $("stop").disabled = S.stopping;
    renderActivity();
  }

  function renderActivity() {
    const task = S.task;
    const box = $("activity");
    const busy = task && S.busy.has(task.task_id);
    const active = task && !isTerminal(task) && (task.status === "running" || busy || S.live || S.tool)
      && !(task.status === "waiting" && !busy);
    box.hidden = !active;
    $("run-actions").classList.toggle("alone", !active && $("proposal").hidden && $("not-started").hidden);
    if (!active) return;
    let text = t("thinking");
    if (S.stopping) text = t("stopping");
    else if (S.tool) text = t("runningCommand", { name: S.tool.name });
    else if (S.live && S.live.message && !S.live.text) text = S.live.message;
    else if (S.live && S.live.step) {
      text = t("thinkingStep", { n: S.live.step }) + (S.live.attempt > 1 ? ` ${t("attempt", { n: S.live.attempt })}` : "");
    }
    $("activity-text").textContent = text;
    const progress = S.live && typeof S.live.progress === "number" && !S.live.text ? S.live.progress : null;
    $("progress").hidden = progress == null;
    if (progress != null) $("progress-bar").style.width = `${Math.round(progress * 100)}%`;
    renderLive(S.live && !S.tool ? S.live.text || "" : "");
  }

  /** Read a (possibly unfinished) JSON string value of `key` from streamed model output. */
  function partialString(text, key, from = 0) {
    const re = new RegExp(`"${key}"\\s*:\\s*"`, "g");
    re.lastIndex = from;
    const m = re.exec(text);
    if (!m) return null;
    let out = "";
    for (let i = m.index + m[0].length; i < text.length; i++) {
      const c = text[i];
      if (c === '"') break;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const n = text[i + 1];
      if (n === undefined) break;
      if (n === "u") {
        const hex = text.slice(i + 2, i + 6);
        if (hex.length < 4) break;
        out += String.fromCharCode(parseInt(hex, 16) || 0x3f);
        i += 5;
      } else {
        out += { n: "\n", t: "\t", r: "", b: "", f: "" }[n] ?? n;
        i += 1;
      }
    }
    return out;
  }

  function renderLive(text) {
    const box = $("live-fields");
    if (!text) {
      box.replaceChildren();
      return;
    }
    const fields = ["observations", "reasoning", "criticism", "speak"]
      .map((k) => [k, partialString(text, k)]).filter(([, v]) => v);
    const at = text.indexOf('"command"');
    const name = at >= 0 ? partialString(text, "name", at) : null;
    if (name) fields.push(["command", name]);
    if (!fields.length) {
      box.replaceChildren(h("pre", { class: "raw" }, text.slice(-1500)));
      return;
    }
    box.replaceChildren(...fields.map(([k, v]) => h("p", { class: `live-line f-${k}` },
      h("span", { class: "label" }, t(k)), h("span", null, v))));
  }

  // --- rendering: artifacts -------------------------------------------------------------------------------

  function isText(name) {
    const base = name.split("/").pop();
    const dot = base.lastIndexOf(".");
    return dot < 0 || TEXT_EXT.has(base.slice(dot + 1).toLowerCase());
  }

  /** relative_path is the artifact's folder in the workspace (or, from some servers, its whole path). */
  function artifactPath(a) {
    const folder = (a.relative_path || "").replace(/\/+$/, "");
    if (!folder || folder === ".") return a.file_name;
    if (!a.file_name || folder === a.file_name || folder.endsWith(`/${a.file_name}`)) return folder;
    return `${folder}/${a.file_name}`;
  }

  function renderArtifacts() {
    const list = S.artifacts;
    $("artifacts-empty").hidden = list.length > 0;
    $("artifacts").replaceChildren(...list.map((a) => {
      const url = taskUrl(S.taskId, `/artifacts/${encodeURIComponent(a.artifact_id)}`);
      const name = artifactPath(a);
      const link = h("a", { href: url, download: a.file_name || name, class: "artifact-link",
        "data-testid": "artifact-link", "data-name": name, title: t("download"), onclick: (e) => download(e, url, a) },
      h("span", { class: "file-icon", "aria-hidden": "true" }), name);
      const view = isText(name) ? h("button", { type: "button", class: "btn ghost small", "data-testid": "artifact-view",
        onclick: () => viewArtifact(url, name) }, t("view")) : null;
      return h("li", { class: "artifact" }, link, view);
    }));
    const v = S.viewer;
    $("viewer").hidden = !v;
    if (v) {
      $("viewer-name").textContent = v.name + (v.cut ? ` ${t("tooLarge", { n: VIEW_LIMIT / 1024 })}` : "");
      $("viewer-text").textContent = v.text;
    }
  }

  async function fetchBlob(url) {
    const res = await fetch(url, { headers: S.token ? { Authorization: `Bearer ${S.token}` } : {} });
    if (!res.ok) throw new ApiError(res.status, res.statusText);
    return res.blob();
  }

  /** Plain links download by themselves; with an access token the bytes are fetched with the header. */
  async function download(e, url, a) {
    if (!S.token) return;
    e.preventDefault();
    try {
      const blob = await fetchBlob(url);
      const href = URL.createObjectURL(blob);
      const tmp = h("a", { href, download: a.file_name || "download" });
      document.body.append(tmp);
      tmp.click();
      tmp.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10000);
    } catch (err) {
      fail(err);
    }
  }

  async function viewArtifact(url, name) {
    try {
      const blob = await fetchBlob(url);
      const text = await blob.slice(0, VIEW_LIMIT).text();
      S.viewer = { name, text, cut: blob.size > VIEW_LIMIT };
      renderArtifacts();
      $("viewer").scrollIntoView({ block: "nearest", behavior: "smooth" });
    } catch (err) {
      fail(err);
    }
  }

  // --- the new-task form ----------------------------------------------------------------------------------

  function openForm() {
    closeStream();
    S.taskId = null;
    S.task = null;
    showView("new");
    renderTaskList();
    if (!$("goal-rows").children.length) addGoalRow();
    setMode(S.mode);
    $("form-error").hidden = true;
    (S.mode === "simple" ? $("goal-input") : $("name-input")).focus();
  }

  function setMode(mode) {
    S.mode = mode;
    $("simple-fields").hidden = mode !== "simple";
    $("detailed-fields").hidden = mode !== "detailed";
    $("mode-simple").setAttribute("aria-selected", String(mode === "simple"));
    $("mode-detailed").setAttribute("aria-selected", String(mode === "detailed"));
  }

  function addGoalRow(value = "") {
    const rows = $("goal-rows");
    const input = h("input", { type: "text", class: "goal-row-input", "data-testid": "goal-row-input" });
    input.value = value;
    const remove = h("button", { type: "button", class: "btn ghost small icon remove-goal", "data-testid": "remove-goal",
      onclick: () => {
        li.remove();
        renumberGoals();
      } }, "×");
    const li = h("li", { class: "goal-row" }, input, remove);
    rows.append(li);
    renumberGoals();
    return input;
  }

  function renumberGoals() {
    const rows = [...$("goal-rows").children];
    rows.forEach((li, i) => {
      li.querySelector("input").placeholder = t("goalN", { n: i + 1 });
      const remove = li.querySelector("button");
      remove.hidden = rows.length < 2;
      remove.title = t("removeGoal");
      remove.setAttribute("aria-label", t("removeGoal"));
    });
  }

  async function submitForm(e) {
    e.preventDefault();
    const extra = { continuous: $("continuous-input").checked };
    const maxSteps = parseInt($("max-steps-input").value, 10);
    if (maxSteps > 0) extra.max_steps = maxSteps;
    let input;
    if (S.mode === "simple") {
      input = $("goal-input").value.trim();
    } else {
      const goals = [...$("goal-rows").querySelectorAll("input")].map((i) => i.value.trim()).filter(Boolean);
      const name = $("name-input").value.trim();
      const role = $("role-input").value.trim();
      if (name) extra.name = name;
      if (role) extra.role = role;
      if (goals.length) extra.goals = goals;
      input = goals.join("\n");
    }
    if (!input) {
      $("form-error").textContent = t("needGoal");
      $("form-error").hidden = false;
      return;
    }
    const submit = $("submit-task");
    submit.disabled = true;
    try {
      const task = await api("POST", API, { input, additional_input: extra });
      $("new-form").reset();
      $("goal-rows").replaceChildren();
      upsertTask(task);
      await selectTask(task.task_id, task);
      history.pushState(null, "", `#/task/${encodeURIComponent(task.task_id)}`);
      if (extra.continuous) runToEnd();
      else sendStep("");
    } catch (err) {
      $("form-error").textContent = t("requestFailed", { detail: err.message });
      $("form-error").hidden = false;
    } finally {
      submit.disabled = false;
    }
  }

  // --- language -------------------------------------------------------------------------------------------

  function applyLanguage() {
    document.documentElement.lang = S.lang === "zh" ? "zh-CN" : "en";
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
    const other = S.lang === "zh" ? "en" : "zh";
    const sw = $("lang-switch");
    sw.textContent = STRINGS[other].langName;
    sw.setAttribute("lang", other === "zh" ? "zh-CN" : "en");
    sw.dataset.lang = S.lang;
    renumberGoals();
    renderTaskList();
    if (S.task) {
      entryCache.clear();
      renderAll();
    }
  }

  function toggleLanguage() {
    S.lang = S.lang === "zh" ? "en" : "zh";
    localStorage.setItem("autogpt.lang", S.lang);
    applyLanguage();
  }

  // --- start ----------------------------------------------------------------------------------------------

  function readToken() {
    const params = new URLSearchParams(location.search);
    const fromUrl = params.get("token");
    if (fromUrl) {
      localStorage.setItem("autogpt.token", fromUrl);
      params.delete("token");
      const rest = params.toString();
      history.replaceState(null, "", `${location.pathname}${rest ? `?${rest}` : ""}${location.hash}`);
    }
    S.token = localStorage.getItem("autogpt.token") || null;
  }

  function bind() {
    $("lang-switch").addEventListener("click", toggleLanguage);
    const goNew = () => { location.hash = "#/new"; };
    $("new-task").addEventListener("click", goNew);
    $("welcome-new").addEventListener("click", goNew);
    $("cancel-new").addEventListener("click", () => { location.hash = "#/"; });
    $("list-toggle").addEventListener("click", () => {
      const open = $("sidebar").dataset.open !== "true";
      $("sidebar").dataset.open = String(open);
      $("list-toggle").setAttribute("aria-expanded", String(open));
    });
    $("mode-simple").addEventListener("click", () => setMode("simple"));
    $("mode-detailed").addEventListener("click", () => setMode("detailed"));
    $("add-goal").addEventListener("click", () => addGoalRow().focus());
    $("new-form").addEventListener("submit", submitForm);
    $("goal-input").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) $("new-form").requestSubmit();
    });
    $("approve").addEventListener("click", () => sendStep("y"));
    $("reject").addEventListener("click", () => sendStep("n"));
    $("feedback-send").addEventListener("click", sendFeedback);
    $("feedback-input").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) sendFeedback();
    });
    $("start-run").addEventListener("click", () => sendStep(""));
    $("run-to-end").addEventListener("click", runToEnd);
    $("stop").addEventListener("click", stopTask);
    $("viewer-close").addEventListener("click", () => {
      S.viewer = null;
      renderArtifacts();
    });
    $("token-form").addEventListener("submit", (e) => {
      e.preventDefault();
      S.token = $("token-input").value.trim() || null;
      if (S.token) localStorage.setItem("autogpt.token", S.token);
      S.needToken = false;
      start();
    });
    window.addEventListener("hashchange", route);
    document.addEventListener("visibilitychange", () => { if (!document.hidden) loadTasks(); });
  }

  async function start() {
    await loadTasks();
    if (S.needToken) return;
    route();
  }

  readToken();
  bind();
  applyLanguage();
  start();
  setInterval(() => { if (!document.hidden) loadTasks(); }, 5000);
})();
