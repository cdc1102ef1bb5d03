// cortexkit explorer: vanilla JS, inline SVG plots, talks only to its own server.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const COLORS = {exponential: "#d62728", inverse: "#2ca02c", linear: "#9467bd"};
const PARAMS = {
  exponential: ["scale", "rate", "x0"],
  inverse: ["scale", "x0"],
  linear: ["slope", "y0"],
};
const STEPS = 200;  // slider positions on each side of the fitted value

const state = {info: null, unit: null, unitData: null, model: "exponential", params: {},
               rasterReq: 0, unitReq: 0, qualityReq: 0};

// ---------------------------------------------------------------- helpers
function $(id) { return document.getElementById(id); }

function el(tag, attrs, parent) {
  const node = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

function html(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function fmt(x, digits) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  const d = digits || 4;
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(d - 1);
  return Number(x.toPrecision(d)).toString();
}

function showError(msg) {
  const box = $("error-box");
  box.textContent = msg;
  box.hidden = false;
}

function clearError() {
  const box = $("error-box");
  box.textContent = "";
  box.hidden = true;
}

async function getJSON(url, options) {
  const resp = await fetch(url, options);
  let body = null;
  try { body = await resp.json(); } catch (e) { body = null; }
  if (!resp.ok) {
    const msg = body && body.error ? body.error : (body && body.detail ? JSON.stringify(body.detail) : resp.statusText);
    const err = new Error(msg);
    err.status = resp.status;
    err.body = body;
    throw err;
  }
  return body;
}

function niceTicks(lo, hi, n) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / (n || 5);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(+t.toPrecision(12));
  return out;
}

// An SVG chart with linear axes; returns {svg, x, y, plot} where x/y map data to pixels.
function chart(container, opts) {
  const W = opts.width || 520, H = opts.height || 300;
  const m = {l: 58, r: 12, t: 10, b: 38};
  container.textContent = "";
  const svg = el("svg", {width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img"}, container);
  if (opts.id) svg.setAttribute("id", opts.id);
  const [x0, x1] = opts.xlim, [y0, y1] = opts.ylim;
  const x = (v) => m.l + (v - x0) / (x1 - x0 || 1) * (W - m.l - m.r);
  const y = (v) => H - m.b - (v - y0) / (y1 - y0 || 1) * (H - m.t - m.b);
  const axes = el("g", {class: "axis"}, svg);
  el("line", {x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b}, axes);
  el("line", {x1: m.l, x2: m.l, y1: m.t, y2: H - m.b}, axes);
  if (!opts.noXTicks) {
    for (const t of niceTicks(x0, x1, 6)) {
      el("line", {x1: x(t), x2: x(t), y1: H - m.b, y2: H - m.b + 4}, axes);
      el("text", {x: x(t), y: H - m.b + 15, "text-anchor": "middle"}, axes).textContent = fmt(t, 3);
    }
  }
  if (!opts.noYTicks) {
    for (const t of niceTicks(y0, y1, 5)) {
      el("line", {x1: m.l - 4, x2: m.l, y1: y(t), y2: y(t)}, axes);
      el("text", {x: m.l - 6, y: y(t) + 4, "text-anchor": "end"}, axes).textContent = fmt(t, 3);
    }
  }
  el("text", {x: (m.l + W - m.r) / 2, y: H - 4, "text-anchor": "middle"}, axes).textContent = opts.xlabel || "";
  el("text", {x: 12, y: (m.t + H - m.b) / 2, "text-anchor": "middle",
              transform: `rotate(-90 12 ${(m.t + H - m.b) / 2})`}, axes).textContent = opts.ylabel || "";
  const clipId = `clip-${opts.id || Math.random().toString(36).slice(2)}`;
  const defs = el("defs", {}, svg);
  const cp = el("clipPath", {id: clipId}, defs);
  el("rect", {x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b}, cp);
  const plot = el("g", {"clip-path": `url(#${clipId})`}, svg);
  return {svg, x, y, plot, W, H, m};
}

function heatmap(container, matrix, opts) {
  const n = matrix.length, size = opts.size || 240, cell = size / Math.max(n, 1);
  container.textContent = "";
  const svg = el("svg", {width: size + 40, height: size + 30, viewBox: `0 0 ${size + 40} ${size + 30}`}, container);
  if (opts.id) svg.setAttribute("id", opts.id);
  let vmax = opts.vmax;
  if (vmax === undefined) {
    vmax = 0;
    for (const row of matrix) for (const v of row) vmax = Math.max(vmax, Math.abs(v));
  }
  vmax = vmax || 1;
  const g = el("g", {transform: "translate(30,4)"}, svg);
  matrix.forEach((row, i) => row.forEach((v, j) => {
    el("rect", {x: j * cell, y: i * cell, width: cell + 0.3, height: cell + 0.3,
                fill: opts.sequential ? seqColor(v / vmax) : divColor(v / vmax)}, g);
  }));
  el("text", {x: 30 + size / 2, y: size + 24, "text-anchor": "middle"}, svg).textContent = opts.xlabel || "";
  el("text", {x: 10, y: 4 + size / 2, "text-anchor": "middle",
              transform: `rotate(-90 10 ${4 + size / 2})`}, svg).textContent = opts.ylabel || "";
  svg.setAttribute("data-vmax", vmax);
  return svg;
}

function divColor(t) {  // -1 blue .. 0 white .. 1 red
  t = Math.max(-1, Math.min(1, t || 0));
  const a = Math.abs(t);
  const c = (v) => Math.round(255 - a * (255 - v));
  return t >= 0 ? `rgb(${c(200)},${c(40)},${c(40)})` : `rgb(${c(40)},${c(80)},${c(200)})`;
}

function seqColor(t) {  // 0 dark .. 1 light (viridis-like two-stop ramp)
  t = Math.max(0, Math.min(1, t || 0));
  const lerp = (a, b) => Math.round(a + (b - a) * t);
  return `rgb(${lerp(40, 250)},${lerp(20, 230)},${lerp(90, 60)})`;
}

// ---------------------------------------------------------------- curves (same forms as ck.isi.fit_curve)
function curveValue(model, p, x) {
  if (model === "exponential") return p.scale * Math.exp(p.rate * (x - p.x0));
  if (model === "inverse") return p.scale / (x - p.x0);
  return p.slope * x + p.y0;
}

function centres(edges) {
  const out = [];
  for (let i = 0; i + 1 < edges.length; i++) out.push(0.5 * (edges[i] + edges[i + 1]));
  return out;
}

function sse(model, params, counts, edges) {
  const xs = centres(edges);
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    const r = counts[i] - curveValue(model, params, xs[i]);
    s += r * r;
  }
  return Number.isFinite(s) ? s : Infinity;
}

// ---------------------------------------------------------------- unit view
async function loadInfo() {
  const info = await getJSON("/api/info");
  state.info = info;
  $("data-label").textContent = `${info.label} — ${info.n_units} units, ${info.n_spikes} spikes, ` +
    `${fmt(info.t_stop - info.t_start, 4)} s`;
  const sel = $("unit-select");
  sel.textContent = "";
  for (const u of info.units) {
    const extra = [u.area, u.kind, u.quality].filter((v) => v).join(", ");
    sel.appendChild(html("option", {value: u.index},
      `${u.id} — ${u.n_spikes} spikes, ${fmt(u.rate_hz, 3)} Hz${extra ? " (" + extra + ")" : ""}`));
  }
  const t0 = $("raster-t0");
  t0.min = info.t_start;
  t0.max = info.t_stop;
  t0.value = info.t_start;
  await selectUnit(info.default_unit);
}

async function selectUnit(index) {
  index = Math.max(0, Math.min(state.info.n_units - 1, index));
  $("unit-select").value = String(index);
  state.unit = index;
  await Promise.all([loadUnit(), loadRaster(), loadQuality()]);
}

// ---------------------------------------------------------------- unit quality
async function loadQuality() {
  const req = ++state.qualityReq;
  let data;
  try {
    data = await getJSON(`/api/quality/${state.unit}`);
  } catch (e) {
    showError(`quality of unit ${state.unit}: ${e.message}`);
    return;
  }
  if (req !== state.qualityReq) return;
  const m = data.metrics;
  const pct = (x) => (x === null ? "–" : `${fmt(100 * x, 3)} %`);
  const facts = $("quality-facts");
  facts.textContent = `unit ${data.id}: sliding RP ${m.slidingrp_pass ? "PASS" : "FAIL"} ` +
    `(max confidence ${pct(m.slidingrp_max_confidence)}, min contamination ` +
    `${pct(m.slidingrp_min_contamination)}); Hill ratio ${fmt(m.isi_violations_ratio, 3)} ` +
    `(contamination ${pct(m.isi_violations_contamination)}); Llobet ` +
    `${pct(m.rp_contamination)}; presence ${fmt(m.presence_ratio, 3)}`;
  facts.setAttribute("data-pass", String(m.slidingrp_pass));
  const s = data.sliding;
  const c = chart($("quality-curve"), {id: "quality-curve-svg", width: 460, height: 260,
    xlim: [0, s.rp_ms[s.rp_ms.length - 1]], ylim: [0, 100],
    xlabel: "refractory period (ms)", ylabel: "confidence (%)"});
  const firstTested = s.tested.indexOf(true);
  el("rect", {x: c.x(0), y: c.y(100), width: c.x(s.rp_ms[Math.max(firstTested, 0)]) - c.x(0),
              height: c.y(0) - c.y(100), fill: "#eee"}, c.plot);
  el("line", {x1: c.x(0), x2: c.x(s.rp_ms[s.rp_ms.length - 1]), y1: c.y(100 * s.confidence_threshold),
              y2: c.y(100 * s.confidence_threshold), stroke: "#d62728", "stroke-dasharray": "4 3"}, c.plot);
  const pts = s.rp_ms.map((r, i) => `${c.x(r)},${c.y(100 * (s.confidence[i] ?? 0))}`).join(" ");
  el("polyline", {points: pts, fill: "none", stroke: "#1f77b4", "stroke-width": 1.5}, c.plot);
  c.svg.setAttribute("data-confidence", JSON.stringify(s.confidence));
  const a = data.acg, e = a.edges_ms;
  const ymax = Math.max(1, ...a.counts);
  const g = chart($("quality-acg"), {id: "quality-acg-svg", width: 460, height: 260,
    xlim: [e[0], e[e.length - 1]], ylim: [0, ymax * 1.05], xlabel: "lag (ms)",
    ylabel: "spike pairs"});
  el("rect", {x: g.x(-1.5), y: g.y(ymax * 1.05), width: g.x(1.5) - g.x(-1.5),
              height: g.y(0) - g.y(ymax * 1.05), fill: "rgba(214,39,40,0.15)"}, g.plot);
  a.counts.forEach((n, i) => {
    el("rect", {x: g.x(e[i]), y: g.y(n), width: Math.max(g.x(e[i + 1]) - g.x(e[i]) - 0.5, 0.5),
                height: g.y(0) - g.y(n), fill: "#555"}, g.plot);
  });
  g.svg.setAttribute("data-counts", JSON.stringify(a.counts));
  g.svg.setAttribute("data-unit", String(data.unit));
}

async function loadUnit() {
  const req = ++state.unitReq;
  const bins = parseInt($("hist-bins").value, 10);
  const range = parseFloat($("hist-range").value);
  let data;
  try {
    data = await getJSON(`/api/unit/${state.unit}?bins=${bins}&range_max=${range}`);
  } catch (e) {
    showError(`unit ${state.unit}: ${e.message}`);
    return;
  }
  if (req !== state.unitReq) return;  // a newer request superseded this one
  clearError();
  state.unitData = data;
  const st = data.stats || {};
  $("unit-facts").textContent = `${data.n_spikes} spikes, ${data.n_isis} ISIs ` +
    `(${data.n_in_range} in range), rate ${fmt(st.rate_hz, 3)} Hz, CV ${fmt(st.cv, 3)}, ` +
    `refractory violations ${st.refractory_count ?? "–"}`;
  resetSliders();
  drawDistributions(data.distributions);
  drawEntropy(data.entropy, data.edges);
  document.body.setAttribute("data-loaded-unit", String(data.unit));
}

async function loadRaster() {
  const req = ++state.rasterReq;
  const t0 = parseFloat($("raster-t0").value);
  const win = parseFloat($("raster-window").value);
  $("raster-t0-label").textContent = `${fmt(t0, 4)} s`;
  let data;
  try {
    data = await getJSON(`/api/raster/${state.unit}?t0=${t0}&window=${win}`);
  } catch (e) {
    showError(`raster: ${e.message}`);
    return;
  }
  if (req !== state.rasterReq) return;
  const rows = data.rows;
  const c = chart($("raster"), {id: "raster-svg", xlim: [data.t0, data.t1], ylim: [-0.5, rows.length - 0.5],
                                 height: Math.max(180, 14 * rows.length + 50), xlabel: "time (s)",
                                 ylabel: "unit", noYTicks: true});
  c.svg.setAttribute("data-unit", String(data.unit));
  rows.forEach((row, k) => {
    const yk = rows.length - 1 - k;
    const sel = row.index === data.unit;
    const g = el("g", {class: "raster-row", "data-index": row.index}, c.plot);
    el("rect", {x: c.m.l, y: c.y(yk + 0.5), width: c.W - c.m.l - c.m.r, height: c.y(yk - 0.5) - c.y(yk + 0.5),
                fill: sel ? "#fff0f0" : "transparent"}, g);
    let d = "";
    for (const t of row.times) d += `M${c.x(t).toFixed(1)} ${c.y(yk + 0.4).toFixed(1)}V${c.y(yk - 0.4).toFixed(1)}`;
    if (d) el("path", {d, stroke: sel ? "#d62728" : "#333", "stroke-width": sel ? 1.4 : 0.8}, g);
    el("text", {x: c.m.l - 4, y: c.y(yk) + 4, "text-anchor": "end"}, c.svg).textContent = String(row.id);
    g.addEventListener("click", () => { if (row.index !== state.unit) selectUnit(row.index); });
  });
}

function histLimits(data) {
  let ymax = Math.max(1, ...data.counts) * 1.1;
  return {xlim: [data.edges[0], data.edges[data.edges.length - 1]], ylim: [0, ymax]};
}

function drawHistogram() {
  const data = state.unitData;
  if (!data) return;
  const lim = histLimits(data);
  const c = chart($("isi-hist-box"), {id: "isi-hist", ...lim, xlabel: "ISI (s)", ylabel: "count"});
  c.svg.setAttribute("data-unit", String(data.unit));
  c.svg.setAttribute("data-counts", JSON.stringify(data.counts));
  data.counts.forEach((n, i) => {
    const xa = c.x(data.edges[i]), xb = c.x(data.edges[i + 1]);
    el("rect", {class: "bar", x: xa, y: c.y(n), width: Math.max(0.5, xb - xa - 0.5), height: c.y(0) - c.y(n)}, c.plot);
  });
  const xs = [];
  const lo = data.edges[0], hi = data.edges[data.edges.length - 1];
  for (let k = 0; k <= 300; k++) xs.push(lo + (hi - lo) * k / 300);
  const path = (model, p) => {
    let d = "", pen = false;
    for (const xv of xs) {
      const yv = curveValue(model, p, xv);
      if (!Number.isFinite(yv)) { pen = false; continue; }
      const py = Math.max(-1e4, Math.min(1e4, c.y(yv)));
      d += `${pen ? "L" : "M"}${c.x(xv).toFixed(2)} ${py.toFixed(2)}`;
      pen = true;
    }
    return d;
  };
  const dist = data.distributions;
  if (dist && dist.expected_counts) {
    let d = "";
    dist.expected_counts.forEach((v, i) => {
      d += `${i ? "L" : "M"}${c.x(data.edges[i]).toFixed(2)} ${c.y(v).toFixed(2)}L${c.x(data.edges[i + 1]).toFixed(2)} ${c.y(v).toFixed(2)}`;
    });
    el("path", {id: "ml-curve", d, fill: "none", stroke: "#222", "stroke-width": 1.2}, c.plot);
  }
  for (const [model, fit] of Object.entries(data.curves)) {
    if (!fit.params) continue;
    el("path", {d: path(model, fit.params), class: `fit-curve fit-${model}`, fill: "none",
                stroke: COLORS[model], "stroke-width": 1.2, "stroke-dasharray": "5 4"}, c.plot);
  }
  if (state.params && Object.keys(state.params).length) {
    el("path", {id: "slider-curve", d: path(state.model, state.params), fill: "none",
                stroke: COLORS[state.model], "stroke-width": 2.4}, c.plot);
  }
}

function resetSliders() {
  const data = state.unitData;
  state.model = $("curve-model").value;
  const fit = data.curves[state.model] || {};
  const box = $("sliders");
  box.textContent = "";
  if (!fit.params) {
    state.params = {};
    box.appendChild(html("p", {class: "note"}, `no ${state.model} fit for this unit: ${fit.error || "unknown"}`));
    updateSSE();
    return;
  }
  state.params = {...fit.params};
  const firstCentre = centres(data.edges)[0];
  for (const name of PARAMS[state.model]) {
    const v = fit.params[name];
    const span = Math.max(Math.abs(v), name === "x0" ? firstCentre : 1e-6 * Math.max(1, ...data.counts));
    let lo = v - span, hi = v + span;
    if (state.model === "inverse" && name === "x0") hi = Math.min(hi, firstCentre - 1e-6 * span);
    const row = html("div", {class: "slider"});
    row.appendChild(html("label", {for: `slider-${name}`}, name));
    const input = html("input", {type: "range", id: `slider-${name}`, "data-param": name,
                                 min: lo, max: hi, step: (hi - lo) / (2 * STEPS), value: v});
    row.appendChild(input);
    const out = html("output", {id: `value-${name}`, for: `slider-${name}`}, fmt(v, 5));
    row.appendChild(out);
    input.value = String(v);
    input.addEventListener("input", () => {
      state.params[name] = parseFloat(input.value);
      out.textContent = fmt(state.params[name], 5);
      updateSSE();
    });
    box.appendChild(row);
  }
  $("sse-fit").textContent = fmt(fit.sse, 6);
  $("r2-fit").textContent = fmt(fit.r2, 4);
  updateSSE();
}

function updateSSE() {
  const data = state.unitData;
  const out = $("sse-value");
  if (!data || !Object.keys(state.params).length) {
    out.textContent = "–";
    out.removeAttribute("data-sse");
  } else {
    const s = sse(state.model, state.params, data.counts, data.edges);
    out.textContent = fmt(s, 6);
    out.setAttribute("data-sse", String(s));
    out.setAttribute("data-params", JSON.stringify(state.params));
    out.setAttribute("data-model", state.model);
  }
  drawHistogram();
}

function drawDistributions(dist) {
  const box = $("dist-table");
  box.textContent = "";
  if (!dist || dist.error) {
    box.appendChild(html("p", {class: "note"}, dist ? dist.error : "–"));
    return;
  }
  const t = html("table", {class: "t", id: "dist-table-t"});
  const head = html("tr");
  for (const h of ["model", "parameters", "log-likelihood", "AIC", "BIC", "KS stat", "KS p"]) head.appendChild(html("th", {}, h));
  t.appendChild(head);
  for (const r of dist.rows) {
    const tr = html("tr", {"data-model": r.model});
    if (r.model === dist.best) tr.setAttribute("class", "best");
    const ps = Object.entries(r.params).map(([k, v]) => `${k}=${fmt(v, 3)}`).join(", ");
    for (const v of [r.model, ps, fmt(r.loglik, 6), fmt(r.aic, 6), fmt(r.bic, 6), fmt(r.ks_stat, 3), fmt(r.ks_pvalue, 3)]) {
      tr.appendChild(html("td", {}, v));
    }
    t.appendChild(tr);
  }
  box.appendChild(t);
  box.appendChild(html("p", {class: "note"}, `best (lowest AIC): ${dist.best}`));
}

function drawEntropy(ent, edges) {
  const box = $("entropy-table");
  box.textContent = "";
  if (!ent || ent.error) {
    box.appendChild(html("p", {class: "note"}, ent ? ent.error : "–"));
    $("entropy-plot").textContent = "";
    return;
  }
  const t = html("table", {class: "t", id: "entropy-t"});
  t.appendChild(html("tr")).append(html("th", {}, "ISI histogram entropy"), html("th", {}, "bits"));
  for (const [name, v] of Object.entries(ent.bits)) {
    if (name.endsWith("_error")) continue;
    const tr = html("tr", {"data-estimator": name});
    tr.append(html("td", {}, name.replace("_", "-")), html("td", {class: "value", "data-bits": v === null ? "" : v}, fmt(v, 5)));
    t.appendChild(tr);
  }
  const refs = ent.references || {};
  if (!refs.error) {
    t.appendChild(html("tr")).append(html("th", {}, `same mean (${fmt(ent.mean_isi_in_range, 3)} s)`), html("th", {}, "bits"));
    for (const [name, r] of Object.entries(refs)) {
      const tr = html("tr", {"data-reference": name});
      tr.append(html("td", {}, name.replace("_", " ")), html("td", {class: "value", "data-bits": r.entropy}, fmt(r.entropy, 5)));
      t.appendChild(tr);
    }
  }
  box.appendChild(t);
  const pmf = ent.pmf;
  let ymax = Math.max(...pmf);
  for (const k of ["exponential", "max_entropy"]) if (refs[k]) ymax = Math.max(ymax, ...refs[k].pmf);
  const c = chart($("entropy-plot"), {id: "entropy-svg", xlim: [edges[0], edges[edges.length - 1]],
                                       ylim: [0, ymax * 1.1], height: 240, xlabel: "ISI (s)", ylabel: "probability"});
  const step = (p, stroke, dash) => {
    let d = `M${c.x(edges[0])} ${c.y(0)}`;
    p.forEach((v, i) => { d += `L${c.x(edges[i])} ${c.y(v)}L${c.x(edges[i + 1])} ${c.y(v)}`; });
    el("path", {d, fill: "none", stroke, "stroke-width": 1.5, "stroke-dasharray": dash || ""}, c.plot);
  };
  step(pmf, "#5a86b4");
  if (refs.exponential) step(refs.exponential.pmf, "#1f77b4", "4 3");
  if (refs.max_entropy) step(refs.max_entropy.pmf, "#ff7f0e", "2 2");
}

// ---------------------------------------------------------------- network view
async function runNetwork(ev) {
  if (ev) ev.preventDefault();
  const form = new FormData($("net-form"));
  const q = new URLSearchParams();
  for (const [k, v] of form.entries()) q.set(k, String(v).trim());
  $("net-status").textContent = "simulating…";
  $("net-run").disabled = true;
  let data;
  try {
    data = await getJSON(`/api/network?${q}`);
  } catch (e) {
    $("net-status").textContent = `error: ${e.message}`;
    $("net-run").disabled = false;
    return;
  }
  $("net-run").disabled = false;
  let vmax = 0;
  for (const row of data.A) for (const v of row) vmax = Math.max(vmax, Math.abs(v));
  heatmap($("net-heat-true"), data.A, {id: "net-true-svg", xlabel: "from (cause)", ylabel: "to (effect)"});
  heatmap($("net-heat-est"), data.estimate, {id: "net-est-svg", xlabel: "from (cause)", ylabel: "to (effect)"});
  const keys = Object.keys(data.curve[0]).filter((k) => k !== "steps" && data.curve.some((r) => r[k] !== null));
  const steps = data.curve.map((r) => r.steps);
  const c = chart($("net-curve"), {id: "net-curve-svg", xlim: [0, Math.max(...steps)], ylim: [0, 1], height: 260,
                                    xlabel: "steps used", ylabel: "score"});
  const palette = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"];
  keys.forEach((k, i) => {
    let d = "";
    data.curve.forEach((r, j) => { if (r[k] !== null) d += `${d ? "L" : "M"}${c.x(r.steps)} ${c.y(Math.max(-0.05, Math.min(1.05, r[k])))}`; });
    el("path", {d, fill: "none", stroke: palette[i % palette.length], "stroke-width": 2}, c.plot);
    el("text", {x: c.W - 120, y: 20 + 14 * i, fill: palette[i % palette.length]}, c.svg).textContent = k;
  });
  const score = $("net-score");
  score.textContent = "";
  const t = html("table", {class: "t", id: "net-score-t"});
  for (const k of keys) {
    const tr = html("tr", {"data-score": k});
    tr.append(html("td", {}, k), html("td", {class: "value", "data-value": data.score[k]}, fmt(data.score[k], 4)));
    t.appendChild(tr);
  }
  score.appendChild(t);
  $("net-status").textContent = `${data.n_neurons} neurons, ${data.timesteps} steps, ` +
    `${fmt(100 * data.clamped_fraction, 3)} % of samples clamped`;
  $("net-heat-est").setAttribute("data-steps", String(data.timesteps));
}

// ---------------------------------------------------------------- RSA view
function rsaQuery() { return `architecture=${encodeURIComponent($("rsa-arch").value)}`; }

async function startRSA() {
  $("rsa-start").disabled = true;
  try {
    await getJSON(`/api/rsa/start?${rsaQuery()}`, {method: "POST"});
  } catch (e) {
    $("rsa-status").textContent = `error: ${e.message}`;
    $("rsa-start").disabled = false;
    return;
  }
  pollRSA();
}

async function pollRSA() {
  const arch = $("rsa-arch").value;
  let st;
  try {
    st = await getJSON(`/api/rsa/status?${rsaQuery()}`);
  } catch (e) {
    $("rsa-status").textContent = `error: ${e.message}`;
    return;
  }
  if (arch !== $("rsa-arch").value) return;  // the user switched architecture meanwhile
  const bar = $("rsa-progress");
  bar.hidden = st.state !== "running";
  bar.value = st.progress || 0;
  const status = $("rsa-status");
  status.textContent = st.state === "error" ? `error: ${st.error}` : `${st.state}${st.step ? ": " + st.step : ""}`;
  status.setAttribute("data-state", st.state);
  if (st.state === "running") { setTimeout(pollRSA, 500); return; }
  $("rsa-start").disabled = st.state === "done";
  if (st.state === "done") drawRSA(await getJSON(`/api/rsa/result?${rsaQuery()}`));
  else { $("rsa-rdms").textContent = ""; $("rsa-bars").textContent = ""; $("rsa-table").textContent = ""; }
}

function drawRSA(res) {
  const box = $("rsa-rdms");
  box.textContent = "";
  const ori = res.orientations;
  for (const name of ["V1", ...res.layers]) {
    const panel = html("div", {class: "panel rdm", "data-system": name});
    panel.appendChild(html("h3", {}, name === "V1" ? "V1 (synthetic responses)" : `layer ${name}`));
    const holder = html("div");
    panel.appendChild(holder);
    box.appendChild(panel);
    heatmap(holder, res.rdms[name], {size: 180, sequential: true,
      xlabel: `orientation ${fmt(ori[0], 3)}..${fmt(ori[ori.length - 1], 3)}°`, ylabel: "orientation"});
  }
  const n = res.layers.length;
  const c = chart($("rsa-bars"), {id: "rsa-bars-svg", xlim: [-0.5, n - 0.5], ylim: [-0.2, 1], height: 240,
                                   xlabel: "layer", ylabel: "RDM similarity with V1", noXTicks: true});
  res.table.forEach((row, i) => {
    const v = row.similarity;
    el("rect", {class: "bar", x: c.x(i - 0.3), width: c.x(0.6) - c.x(0), y: c.y(Math.max(0, v)),
                height: Math.abs(c.y(v) - c.y(0)), "data-layer": row.layer, "data-similarity": v}, c.plot);
    if (row.ci_low !== null && row.ci_high !== null) {
      el("line", {x1: c.x(i), x2: c.x(i), y1: c.y(row.ci_low), y2: c.y(row.ci_high), stroke: "#222", "stroke-width": 1.5}, c.plot);
    }
    el("text", {x: c.x(i), y: c.H - c.m.b + 15, "text-anchor": "middle"}, c.svg).textContent = row.layer;
  });
  const tbox = $("rsa-table");
  tbox.textContent = "";
  const t = html("table", {class: "t", id: "rsa-t"});
  const head = html("tr");
  for (const h of ["layer", "units", "similarity", "95% CI", "p (permutation)", "CKA"]) head.appendChild(html("th", {}, h));
  t.appendChild(head);
  for (const row of res.table) {
    const tr = html("tr", {"data-layer": row.layer});
    for (const v of [row.layer, String(row.n_units), fmt(row.similarity, 3),
                     `${fmt(row.ci_low, 3)} – ${fmt(row.ci_high, 3)}`, fmt(row.p_value, 3), fmt(row.cka, 3)]) {
      tr.appendChild(html("td", {}, v));
    }
    t.appendChild(tr);
  }
  tbox.appendChild(t);
  $("rsa-status").textContent = `done: ${res.architecture} network trained on ${res.n_train} gratings for ` +
    `${res.epochs} epochs${res.cached_model ? " (from the cache)" : ""}, final loss ` +
    `${fmt(res.losses[res.losses.length - 1], 3)}`;
}

// ---------------------------------------------------------------- wiring
function init() {
  $("unit-select").addEventListener("change", (e) => selectUnit(parseInt(e.target.value, 10)));
  $("unit-prev").addEventListener("click", () => selectUnit(state.unit - 1));
  $("unit-next").addEventListener("click", () => selectUnit(state.unit + 1));
  $("hist-bins").addEventListener("change", loadUnit);
  $("hist-range").addEventListener("change", loadUnit);
  $("raster-t0").addEventListener("change", loadRaster);
  $("raster-window").addEventListener("change", loadRaster);
  $("curve-model").addEventListener("change", () => { if (state.unitData) resetSliders(); });
  $("reset-fit").addEventListener("click", () => { if (state.unitData) resetSliders(); });
  $("net-form").addEventListener("submit", runNetwork);
  $("rsa-start").addEventListener("click", startRSA);
  $("rsa-arch").addEventListener("change", pollRSA);
  loadInfo().catch((e) => showError(`could not load the recording: ${e.message}`));
  pollRSA();
}

document.addEventListener("DOMContentLoaded", init);
