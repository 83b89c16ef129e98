// mentor-themes dashboard: plain JavaScript against the service's own /v1 API.
// Note text is only ever inserted as text nodes, never as HTML.
"use strict";

const KEY_STORE = "mentor-themes-key";
// Okabe-Ito colours (safe for the common colour-vision deficiencies), plus a dash pattern
// and point style per theme so lines differ by more than colour.
const STYLES = [
  { color: "#0072B2", dash: [], point: "circle" },
  { color: "#E69F00", dash: [6, 3], point: "rect" },
  { color: "#009E73", dash: [2, 2], point: "triangle" },
  { color: "#D55E00", dash: [10, 4], point: "rectRot" },
  { color: "#CC79A7", dash: [4, 2, 1, 2], point: "star" },
  { color: "#56B4E9", dash: [1, 3], point: "crossRot" },
];

const $ = (id) => document.getElementById(id);
let chart = null;
let themeNames = {};

function key() { return sessionStorage.getItem(KEY_STORE); }

async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${key()}`, ...(options.headers || {}) };
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) { signOut("That key was not accepted."); throw new Error("401"); }
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail; } catch (_) { /* not JSON */ }
    throw new Error(detail);
  }
  return response;
}

function status(text) { $("status").textContent = text; }

function signOut(message) {
  sessionStorage.removeItem(KEY_STORE);
  $("dashboard").hidden = true;
  $("login").hidden = false;
  $("login-error").hidden = !message;
  $("login-error").textContent = message || "";
}

async function signIn(event) {
  event.preventDefault();
  sessionStorage.setItem(KEY_STORE, $("key").value.trim());
  try {
    await start();
  } catch (error) {
    if (error.message !== "401") signOut(error.message);
  }
}

async function start() {
  const themes = await (await api("/v1/themes")).json();
  themeNames = Object.fromEntries(themes.themes.map((t) => [t.id, t.name]));
  $("login").hidden = true;
  $("dashboard").hidden = false;
  $("key").value = "";
  await fillKnownIds();
}

async function fillKnownIds() {
  const scope = $("scope").value;
  $("id-field").hidden = scope === "tenant";
  $("scope-id").required = scope !== "tenant";
  const list = $("known-ids");
  list.replaceChildren();
  if (scope === "tenant") return;
  const field = { mentee: "mentee_id", mentor: "mentor_id", cohort: "cohort" }[scope];
  try {
    const page = await (await api("/v1/notes?limit=200")).json();
    const ids = [...new Set(page.notes.map((n) => n[field]).filter(Boolean))].sort();
    for (const id of ids) list.append(new Option(id, id));
  } catch (_) { /* a key that cannot list notes still gets trends */ }
}

function queryString(withWindow) {
  const params = new URLSearchParams({ scope: $("scope").value, interval: $("interval").value });
  if ($("scope").value !== "tenant") params.set("id", $("scope-id").value.trim());
  if ($("from").value) params.set("from", $("from").value);
  if ($("to").value) params.set("to", $("to").value);
  if (withWindow) params.set("window", $("window").value);
  return params.toString();
}

async function show(event) {
  if (event) event.preventDefault();
  status("Loading…");
  try {
    const trends = await (await api(`/v1/trends?${queryString(true)}`)).json();
    drawChart(trends);
    drawSummary(trends);
    drawPairs(trends);
    await drawNotes(trends);
    const n = trends.periods.reduce((sum, p) => sum + (p.n || 0), 0);
    status(`${n} sessions from ${trends.start} to ${trends.end}.`);
  } catch (error) {
    if (error.message !== "401") status(`Could not load trends: ${error.message}`);
  }
}

function drawChart(trends) {
  const labels = trends.periods.map((p) => (p.suppressed ? `${p.label} (hidden)` : `${p.label} (n=${p.n})`));
  const datasets = trends.themes.map((theme, i) => {
    const style = STYLES[i % STYLES.length];
    return {
      label: themeNames[theme] || theme,
      data: trends.periods.map((p) => (p.themes && p.n ? p.themes[theme].share * 100 : null)),
      borderColor: style.color,
      backgroundColor: style.color,
      borderDash: style.dash,
      pointStyle: style.point,
      pointRadius: 4,
      spanGaps: false,
      tension: 0,
    };
  });
  if (chart) chart.destroy();
  chart = new Chart($("chart"), {
    type: "line",
    data: { labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: { y: { min: 0, max: 100, title: { display: true, text: "% of sessions" } } },
      plugins: {
        legend: { labels: { usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: (item) => {
              const period = trends.periods[item.dataIndex];
              const theme = trends.themes[item.datasetIndex];
              const count = period.themes ? period.themes[theme].count : 0;
              return `${item.dataset.label}: ${count} of ${period.n} sessions`;
            },
          },
        },
      },
    },
  });
  const hidden = trends.periods.filter((p) => p.suppressed);
  const gaps = hidden.length
    ? `${hidden.length} period(s) hidden: ${hidden[0].reason}.`
    : "Periods without sessions show as gaps.";
  $("chart-note").textContent = trends.mixed_versions ? `${gaps} ${trends.mixed_versions}` : gaps;
}

function drawSummary(trends) {
  const list = $("summary");
  list.replaceChildren();
  const lines = trends.summary.lines;
  if (!lines.length) {
    const item = document.createElement("li");
    item.textContent = trends.summary.withheld
      ? `No summary: ${trends.summary.withheld}.`
      : "No theme changed clearly between the compared windows.";
    list.append(item);
    return;
  }
  for (const line of lines) {
    const item = document.createElement("li");
    item.className = `line ${line.kind}`;
    const text = document.createElement("span");
    text.textContent = line.text;
    item.append(text);
    if (line.note_ids.length) {
      const examples = document.createElement("div");
      examples.className = "examples";
      line.note_ids.forEach((id, i) => {
        const link = document.createElement("a");
        link.href = `#note-${id}`;
        link.textContent = `example ${i + 1}`;
        link.addEventListener("click", (event) => { event.preventDefault(); openNote(id); });
        examples.append(link);
      });
      item.append(examples);
    }
    list.append(item);
  }
}

function drawPairs(trends) {
  const body = $("pairs").tBodies[0];
  body.replaceChildren();
  const pairs = trends.co_occurrence.pairs.slice(0, 8);
  if (!pairs.length) {
    const row = body.insertRow();
    const cell = row.insertCell();
    cell.colSpan = 3;
    cell.textContent = "No two themes came up in the same session.";
    return;
  }
  for (const pair of pairs) {
    const row = body.insertRow();
    row.insertCell().textContent = pair.themes.map((t) => themeNames[t] || t).join(" + ");
    row.insertCell().textContent = String(pair.count);
    row.insertCell().textContent = `${Math.round((pair.share || 0) * 100)}%`;
  }
}

function badge(theme) {
  const span = document.createElement("span");
  const style = STYLES[Math.max(0, Object.keys(themeNames).indexOf(theme.theme)) % STYLES.length];
  span.className = "badge";
  span.style.borderColor = style.color;
  span.textContent = `${themeNames[theme.theme] || theme.theme} ${Math.round(theme.score * 100)}%`;
  return span;
}

// The note's text with every evidence sentence wrapped in <mark>, built from text nodes.
function highlighted(note) {
  const fragment = document.createDocumentFragment();
  if (note.text === null) {
    fragment.append("(The platform did not keep this note's text.)");
    return fragment;
  }
  const spans = note.themes.flatMap((t) => t.evidence.map((e) => [e.start, e.end]));
  spans.sort((a, b) => a[0] - b[0]);
  const merged = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([...span]);
  }
  // Offsets count code points (Python's str); JavaScript strings count UTF-16 units,
  // which differ after an emoji, so slice an array of code points.
  const chars = Array.from(note.text);
  const piece = (from, to) => chars.slice(from, to).join("");
  let at = 0;
  for (const [start, end] of merged) {
    fragment.append(piece(at, start));
    const mark = document.createElement("mark");
    mark.textContent = piece(start, end);
    fragment.append(mark);
    at = end;
  }
  fragment.append(piece(at));
  return fragment;
}

async function drawNotes(trends) {
  const list = $("notes");
  list.replaceChildren();
  const params = new URLSearchParams({ limit: "10", from: trends.start, to: trends.end });
  const scope = $("scope").value;
  const field = { mentee: "mentee_id", mentor: "mentor_id", cohort: "cohort" }[scope];
  if (field) params.set(field, $("scope-id").value.trim());
  let page;
  try {
    page = await (await api(`/v1/notes?${params}`)).json();
  } catch (error) {
    const item = document.createElement("li");
    item.textContent = `Sessions are not available with this key (${error.message}).`;
    list.append(item);
    return;
  }
  for (const note of page.notes) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = `#note-${note.id}`;
    link.className = "open";
    link.textContent = `${note.session_date} · ${note.mentee_id}`;
    link.addEventListener("click", (event) => { event.preventDefault(); openNote(note.id); });
    const themes = document.createElement("div");
    themes.className = "themes";
    note.themes.forEach((t) => themes.append(badge(t)));
    const text = document.createElement("p");
    text.className = "note-text";
    text.append(highlighted(note));
    item.append(link, themes, text);
    list.append(item);
  }
  if (!page.notes.length) list.append(Object.assign(document.createElement("li"), { textContent: "No sessions in this range." }));
}

function fillNote(note) {
  const names = (themes) => themes.map((t) => themeNames[t.theme] || t.theme).join(", ") || "no theme";
  $("note-title").textContent = `Session of ${note.session_date}`;
  $("note-meta").textContent = [
    `mentee ${note.mentee_id}`,
    note.mentor_id && `mentor ${note.mentor_id}`,
    note.cohort && `cohort ${note.cohort}`,
    `model ${note.model_version}`,
    note.review && `themes set by ${note.review.reviewer} on ${note.review.reviewed_at.slice(0, 10)}`,
    note.review && `the model said: ${names(note.model_themes)}`,
  ].filter(Boolean).join(" · ");
  $("note-themes").replaceChildren(...note.themes.map(badge));
  $("note-text").replaceChildren(highlighted(note));
  const chosen = new Set(note.themes.map((t) => t.theme));
  $("correct-themes").replaceChildren(...Object.entries(themeNames).map(([id, name]) => {
    const label = document.createElement("label");
    const box = Object.assign(document.createElement("input"), { type: "checkbox", value: id });
    box.checked = chosen.has(id);
    label.append(box, ` ${name}`);
    return label;
  }));
  $("correct-form").dataset.note = note.id;
}

async function openNote(id) {
  try {
    const note = await (await api(`/v1/notes/${encodeURIComponent(id)}`)).json();
    fillNote(note);
    $("correct-status").textContent = "";
    $("note-dialog").showModal();
  } catch (error) {
    if (error.message !== "401") status(`Could not open the session: ${error.message}`);
  }
}

async function saveCorrection(event) {
  event.preventDefault();
  const themes = [...$("correct-themes").querySelectorAll("input:checked")].map((box) => box.value);
  const id = $("correct-form").dataset.note;
  try {
    const response = await api(`/v1/notes/${encodeURIComponent(id)}/themes`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ themes }),
    });
    fillNote(await response.json());
    $("correct-status").textContent = "Saved. Trends now count your themes for this session.";
    $("query").requestSubmit();
  } catch (error) {
    if (error.message !== "401") $("correct-status").textContent = `Not saved: ${error.message}`;
  }
}

async function downloadCsv() {
  try {
    const blob = await (await api(`/v1/trends.csv?${queryString(false)}`)).blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `trends-${$("scope").value}-${$("interval").value}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  } catch (error) {
    if (error.message !== "401") status(`Could not download: ${error.message}`);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", signIn);
  $("query").addEventListener("submit", show);
  $("scope").addEventListener("change", fillKnownIds);
  $("download").addEventListener("click", downloadCsv);
  $("correct-form").addEventListener("submit", saveCorrection);
  $("sign-out").addEventListener("click", () => signOut(""));
  if (key()) start().catch(() => signOut(""));
});
