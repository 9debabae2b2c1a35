// The listening room's page: songs and stages, a waveform drawn from studioflow's peaks, Web Audio playback with a
// loudness-matched A/B that switches at the same position without a gap, notes at a time or over a range, approvals
// and live updates (server-sent events). Everything it shows comes from the room's JSON API.
"use strict";

const TOKEN = document.querySelector('meta[name="studio-token"]').content;
const ACCESS = document.querySelector('meta[name="studio-access"]').content;
const SWITCH_S = 0.008;          // A/B crossfade time constant (s): short enough to hear no gap, long enough for no click
const ROLE_COLOURS = {recording: "#b38cff", mixing: "#4fb3ff", mastering: "#3ddc97", producer: "#f0b429"};
const $ = (id) => document.getElementById(id);

const state = {
  project: null, song: null, songName: null, versions: [], a: null, b: null, heard: "A",
  peaks: null, buffers: new Map(), ctx: null, sources: [], gains: {}, playing: false, startedAt: 0, offset: 0,
  mark: {at: 0, to: null}, drag: null,
};

// ---------- the API ----------
async function api(path, body) {
  const init = {headers: {"X-Studio-Token": TOKEN}};
  if (body !== undefined) {
    init.method = "POST";
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = (response.headers.get("content-type") || "").includes("json") ? await response.json() : null;
  if (!response.ok) throw new Error((data && data.error) || response.statusText);
  return data;
}
const enc = (s) => encodeURIComponent(s);
const songPath = (suffix = "") => `/api/songs/${enc(state.songName)}${suffix}`;
const filePath = (file) => file.split("/").map(enc).join("/");

// ---------- small helpers ----------
function clock(s, tenths = false) {
  if (s === null || s === undefined || !isFinite(s)) return "–";
  const whole = tenths ? s : Math.round(s);
  const m = Math.floor(whole / 60), r = whole - 60 * m;
  return tenths ? `${m}:${r.toFixed(1).padStart(4, "0")}` : `${m}:${String(Math.round(r)).padStart(2, "0")}`;
}
const num = (x, unit) => (x === null || x === undefined ? "–" : `${x.toFixed(1)} ${unit}`);
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
function toast(text) {
  const t = el("div", {class: "toast"}, text);
  $("toasts").append(t);
  setTimeout(() => t.remove(), 6000);
}
function whoIs() {
  const name = localStorage.getItem("studioflow.name") || "";
  if (!name) { $("who").classList.add("asking"); $("who-name").focus(); }
  return name;
}

// ---------- project and song ----------
async function loadProject() {
  state.project = await api("/api/project");
  $("artist").textContent = state.project.artist || "";
  const nav = $("songs");
  nav.replaceChildren(...state.project.songs.map((s) => {
    const open = Object.values(s.open_notes).reduce((x, y) => x + y, 0);
    return el("button", {class: s.name === state.songName ? "current" : "", "data-song": s.name,
                         onclick: () => openSong(s.name)},
              s.name, el("small", {}, `stage: ${s.stage} · ${open} open note${open === 1 ? "" : "s"}`));
  }));
}

async function openSong(name) {
  if (name !== state.songName) { stop(); state.a = state.b = null; state.peaks = null; state.mark = {at: 0, to: null}; }
  state.songName = name;
  for (const b of $("songs").querySelectorAll("button")) b.classList.toggle("current", b.dataset.song === name);
  await loadSong();
}

async function loadSong(fresh = null) {
  const song = await api(songPath());
  state.song = song;
  state.versions = song.versions;
  pickDefaults(song.versions);
  renderHead(song);
  renderVersions(fresh);
  renderNotes(song.notes);
  for (const fmt of ["csv", "audacity", "reaper"]) {
    $(`export-${fmt}`).href = `${songPath("/markers")}?format=${fmt}&t=${enc(TOKEN)}`;
  }
  await loadPeaks();
  applyGains();
  draw();
}

function pickDefaults(versions) {
  // A: the newest mix; B: the newest master, else the mix before it (a choice already made is kept)
  const ids = new Set(versions.map((v) => v.id));
  const mixes = versions.filter((v) => v.kind === "mix"), masters = versions.filter((v) => v.kind === "master");
  const a = mixes.length ? mixes[mixes.length - 1] : versions[versions.length - 1];
  const b = masters.length ? masters[masters.length - 1] : mixes.length > 1 ? mixes[mixes.length - 2] : a;
  if (!ids.has(state.a)) state.a = a ? a.id : null;
  if (!ids.has(state.b)) state.b = b ? b.id : null;
}

function renderHead(song) {
  $("song-name").textContent = song.name;
  $("stages").replaceChildren(...song.stages.map((s) => {
    const a = song.approvals[s];
    const cls = a && a.holds ? "approved" : a ? "stale" : s === song.stage ? "current" : "";
    const text = a && a.holds ? `${s} ✓ ${a.by}` : a ? `${s}: ${a.why || "no longer holds"}` : s;
    return el("li", {class: cls, "data-stage": s, title: a ? `${a.by} at ${a.at}` : ""}, text);
  }));
  const button = $("approve");
  button.hidden = song.stage === "done" || ACCESS !== "comment";
  button.textContent = `Approve ${song.stage}`;
  button.dataset.stage = song.stage;
}

function versionById(id) { return state.versions.find((v) => v.id === id) || null; }

function renderVersions(fresh) {
  const rows = state.versions.map((v) => {
    const pick = (side) => el("input", {type: "radio", name: `side-${side}`, value: v.id, "aria-label": `${side}: ${v.label}`,
                                        checked: state[side.toLowerCase()] === v.id, onchange: () => choose(side, v.id)});
    return el("tr", {class: v.file === fresh ? "fresh" : "", "data-file": v.file},
      el("td", {}, pick("A")), el("td", {}, pick("B")), el("td", {}, v.label),
      el("td", {class: "num"}, num(v.lufs, "LUFS")), el("td", {class: "num"}, num(v.true_peak_dbtp, "dBTP")),
      el("td", {class: "num"}, `${v.match_gain_db.toFixed(1)} dB`), el("td", {class: "num"}, clock(v.duration_s)));
  });
  $("versions").tBodies[0].replaceChildren(...rows);
}

function renderNotes(items) {
  const writes = ACCESS === "comment";
  $("notes").replaceChildren(...items.slice().reverse().map((n) => {
    const when = n.at_s === null ? "whole song" : n.to_s !== null ? `${clock(n.at_s)}–${clock(n.to_s)}` : clock(n.at_s);
    const replyBox = el("input", {placeholder: "reply", maxlength: 2000, "aria-label": `reply to note ${n.id}`});
    const actions = writes && n.status === "open" ? el("div", {class: "note-actions"}, replyBox,
      el("button", {onclick: () => sendReply(n, replyBox)}, "Reply"),
      el("button", {class: "done", onclick: () => markDone(n)}, "Done")) : null;
    return el("li", {class: `role-${n.role} ${n.status}`, "data-note": n.id},
      el("div", {class: "note-head"},
        el("button", {class: "note-time", onclick: () => n.at_s !== null && seek(n.at_s)}, when),
        el("span", {class: "note-text"}, n.text),
        el("span", {class: "note-role"}, `→ ${state.project.roles[n.role] || n.role}`),
        el("span", {class: "note-by"}, `#${n.id}${n.filed_by ? " · " + n.filed_by : ""}${n.status === "closed" ? " · done" : ""}`)),
      el("div", {class: "note-why"}, `why: ${n.reason}`),
      ...(n.replies || []).map((r) => el("div", {class: "reply"}, `${r.by || "someone"}: ${r.text}`)),
      actions);
  }));
}

// ---------- audio: decode, play, seek, A/B ----------
function ensureContext() {
  if (!state.ctx) state.ctx = new AudioContext();
  if (state.ctx.state === "suspended") state.ctx.resume();
  return state.ctx;
}

async function buffer(id) {
  if (!state.buffers.has(id)) {
    state.buffers.set(id, (async () => {
      const response = await fetch(`/audio/${filePath(id)}`, {headers: {"X-Studio-Token": TOKEN}});
      if (!response.ok) throw new Error(`cannot load ${id}`);
      return ensureContext().decodeAudioData(await response.arrayBuffer());
    })().catch((e) => { state.buffers.delete(id); throw e; }));
  }
  return state.buffers.get(id);
}

function position() {
  if (!state.playing) return state.offset;
  return state.offset + (state.ctx.currentTime - state.startedAt);
}

function duration() {
  const v = versionById(state.heard === "A" ? state.a : state.b);
  return (state.peaks && state.peaks.duration_s) || (v && v.duration_s) || 0;
}

function gainOf(id) {
  const v = versionById(id);
  return v && $("matched").checked ? Math.pow(10, v.match_gain_db / 20) : 1;
}

function applyGains(ramp = true) {
  if (!state.ctx) return;
  const now = state.ctx.currentTime;
  for (const side of ["A", "B"]) {
    const g = state.gains[side];
    if (!g) continue;
    const target = side === state.heard ? gainOf(side === "A" ? state.a : state.b) : 0;
    if (ramp) g.gain.setTargetAtTime(target, now, SWITCH_S); else g.gain.setValueAtTime(target, now);
  }
}

async function play() {
  if (!state.a || !state.b) return;
  const ctx = ensureContext();
  const [a, b] = await Promise.all([buffer(state.a), buffer(state.b)]);
  stopSources();
  const at = Math.min(state.offset, duration());
  const when = ctx.currentTime + 0.05;        // both start on the same sample
  for (const [side, buf] of [["A", a], ["B", b]]) {
    const src = ctx.createBufferSource();
    src.buffer = buf;
    const g = ctx.createGain();
    src.connect(g).connect(ctx.destination);
    state.gains[side] = g;
    if (at < buf.duration) src.start(when, at);
    state.sources.push(src);
  }
  state.offset = at;
  state.startedAt = when;
  state.playing = true;
  applyGains(false);
  $("play").textContent = "Pause";
  tick();
}

function stopSources() {
  for (const s of state.sources) { try { s.stop(); } catch (e) { /* never started */ } }
  state.sources = [];
}

function stop() {
  if (state.playing) state.offset = position();
  stopSources();
  state.playing = false;
  $("play").textContent = "Play";
}

async function seek(t) {
  state.offset = Math.max(0, Math.min(t, duration()));
  if (state.playing) await play(); else draw();
}

function switchAB() {
  state.heard = state.heard === "A" ? "B" : "A";
  applyGains(true);
  showHeard();
  loadPeaks().then(draw);
}

async function choose(side, id) {
  state[side.toLowerCase()] = id;
  for (const kept of state.buffers.keys()) {      // decoded audio is large: keep only what A and B play
    if (kept !== state.a && kept !== state.b) state.buffers.delete(kept);
  }
  if (state.playing) await play();
  showHeard();
  await loadPeaks();
  draw();
}

function showHeard() {
  const ab = $("ab");
  ab.textContent = `Hearing ${state.heard}`;
  ab.className = state.heard === "A" ? "hearing-a" : "hearing-b";
  const v = versionById(state.heard === "A" ? state.a : state.b);
  $("heard").textContent = v ? `${v.label}${$("matched").checked ? ` (${v.match_gain_db.toFixed(1)} dB)` : ""}` : "no version yet";
}

function tick() {
  if (!state.playing) return;
  if (position() >= duration()) { stop(); state.offset = 0; }
  draw();
  requestAnimationFrame(tick);
}

// ---------- the waveform ----------
async function loadPeaks() {
  const id = state.heard === "A" ? state.a : state.b;
  if (!id) { state.peaks = null; return; }
  const canvas = $("wave");
  const points = Math.max(16, Math.min(4000, canvas.clientWidth || 1000));
  state.peaks = await api(`/api/peaks/${filePath(id)}?points=${points}`);
}

function draw() {
  const canvas = $("wave");
  const w = canvas.width = canvas.clientWidth, h = canvas.height;
  const c = canvas.getContext("2d");
  c.clearRect(0, 0, w, h);
  const d = duration();
  $("clock").textContent = `${clock(position(), true)} / ${clock(d)}`;
  if (!state.peaks || !d) return;
  const x = (t) => (t / d) * w;
  for (const s of state.song.sections || []) {
    c.fillStyle = "#2c3040"; c.fillRect(x(s.start_s), 0, 1, h);
    c.fillStyle = "#9aa0ad"; c.font = "11px system-ui"; c.fillText(s.name, x(s.start_s) + 3, 12);
  }
  const {min, max} = state.peaks, n = min.length, mid = h / 2 + 6, scale = (h - 24) / 2;
  c.fillStyle = state.heard === "A" ? "#4fb3ff" : "#ff7a59";
  for (let i = 0; i < n; i++) {
    const top = mid - max[i] * scale, bottom = mid - min[i] * scale;
    c.fillRect((i / n) * w, top, Math.max(1, w / n), Math.max(1, bottom - top));
  }
  for (const note of state.song.notes) {
    if (note.at_s === null) continue;
    c.globalAlpha = note.status === "open" ? 0.9 : 0.35;
    c.fillStyle = ROLE_COLOURS[note.role] || "#fff";
    if (note.to_s !== null) { c.globalAlpha *= 0.3; c.fillRect(x(note.at_s), 16, x(note.to_s) - x(note.at_s), h - 16); }
    else c.fillRect(x(note.at_s) - 1, 16, 3, h - 16);
    c.globalAlpha = 1;
  }
  const m = state.mark;
  c.strokeStyle = "#f0b429"; c.setLineDash([4, 3]);
  c.strokeRect(x(m.at), 16, Math.max(1, m.to === null ? 0 : x(m.to) - x(m.at)), h - 17);
  c.setLineDash([]);
  c.fillStyle = "#ffffff"; c.fillRect(x(position()), 0, 2, h);
}

function timeAt(event) {
  const r = $("wave").getBoundingClientRect();
  return Math.max(0, Math.min(1, (event.clientX - r.left) / r.width)) * duration();
}

function setMark(at, to) {
  state.mark = {at, to};
  $("note-where").textContent = to === null ? `at ${clock(at)}` : `from ${clock(at)} to ${clock(to)}`;
}

// ---------- writes ----------
async function addNote(event) {
  event.preventDefault();
  const text = $("note-text").value.trim();
  if (!text) return;
  const by = whoIs();
  if (!by) { $("note-message").textContent = "say who you are first (top right)"; return; }
  try {
    const note = await api(songPath("/notes"), {text, at: state.mark.at, to: state.mark.to, by});
    $("note-text").value = "";
    $("note-message").textContent = "";
    toast(`note #${note.id} → ${state.project.roles[note.role]}: ${note.reason}`);
    await refresh();
  } catch (e) { $("note-message").textContent = e.message; }
}

async function sendReply(note, box) {
  const text = box.value.trim();
  if (!text) return;
  try { await api(songPath(`/notes/${note.id}/replies`), {text, by: whoIs() || null}); await refresh(); }
  catch (e) { $("note-message").textContent = e.message; }
}

async function markDone(note) {
  try { await api(songPath(`/notes/${note.id}/done`), {by: whoIs() || null}); await refresh(); }
  catch (e) { $("note-message").textContent = e.message; }
}

async function approveStage() {
  const by = whoIs();
  if (!by) { $("approve-message").textContent = "say who you are first (top right)"; return; }
  try {
    const r = await api(songPath("/approve"), {stage: $("approve").dataset.stage, by});
    $("approve-message").textContent = "";
    toast(`${r.stage} approved by ${r.by}`);
    await refresh();
  } catch (e) { $("approve-message").textContent = e.message; }
}

async function refresh(fresh = null) {
  await loadProject();
  if (state.songName) await loadSong(fresh);
}

// ---------- live updates ----------
function listen() {
  const events = new EventSource(`/api/events?t=${enc(TOKEN)}`);
  const current = (data) => state.song && data.song === state.song.folder;
  events.addEventListener("version", async (e) => {
    const data = JSON.parse(e.data);
    await refresh(current(data) ? data.file : null);
    const v = versionById(data.file), song = state.project.songs.find((s) => s.folder === data.song);
    toast(`new ${data.kind}${v ? ": " + v.label : ""} (${song ? song.name : data.song})`);
  });
  events.addEventListener("song", async (e) => { if (current(JSON.parse(e.data))) await refresh(); });
  events.addEventListener("project", () => refresh());
}

// ---------- start ----------
function start() {
  if (ACCESS !== "comment") {
    document.body.classList.add("listen-only");
    $("access-badge").textContent = "listen-only link";
  }
  for (const e of [$("note-form"), $("approve"), $("who")]) e.classList.add("writes");
  $("who-name").value = localStorage.getItem("studioflow.name") || "";
  $("who").addEventListener("submit", (e) => {
    e.preventDefault();
    localStorage.setItem("studioflow.name", $("who-name").value.trim());
    $("who").classList.remove("asking");
  });
  $("play").addEventListener("click", () => (state.playing ? stop() : play().catch((e) => toast(e.message))));
  $("ab").addEventListener("click", switchAB);
  $("matched").addEventListener("change", () => { applyGains(true); showHeard(); });
  document.addEventListener("keydown", (e) => {
    if (e.target.tagName === "INPUT") return;
    if (e.key === "x" || e.key === "X") switchAB();
    if (e.key === " ") { e.preventDefault(); state.playing ? stop() : play().catch((err) => toast(err.message)); }
  });
  const wave = $("wave");
  wave.addEventListener("mousedown", (e) => { state.drag = timeAt(e); });
  wave.addEventListener("mouseup", (e) => {
    if (state.drag === null) return;
    const from = state.drag, to = timeAt(e);
    state.drag = null;
    const px = Math.abs(to - from) / (duration() || 1) * wave.clientWidth;
    if (px < 4) { setMark(to, null); seek(to); } else setMark(Math.min(from, to), Math.max(from, to));
    draw();
    if (ACCESS === "comment") $("note-text").focus();
  });
  $("note-form").addEventListener("submit", addNote);
  $("approve").addEventListener("click", approveStage);
  window.addEventListener("resize", () => loadPeaks().then(draw));
  whoIs();
  listen();
  loadProject().then(() => state.project.songs.length && openSong(state.project.songs[0].name)).then(showHeard)
    .catch((e) => toast(e.message));
}

// for people debugging in the console and for the browser tests: the player's state, read-only
window.studio = {
  position, duration, get playing() { return state.playing; }, get heard() { return state.heard; },
  get a() { return state.a; }, get b() { return state.b; }, get mark() { return {...state.mark}; },
  gain(side) { return state.gains[side] ? state.gains[side].gain.value : null; },
};
start();
