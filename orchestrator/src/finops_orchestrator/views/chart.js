// What every view draws with: exact money, DOM built with textContent only (names come from clouds and tags, so
// never as markup), SVG axes and bars, one tooltip, and the frame around a view's answer.
"use strict";

// Money. Amounts arrive as decimal strings and are shown as given (digits grouped, never rounded); sums are exact,
// in integers of 10^-12 (answers carry at most 9 decimals, medians one more). Numbers are only for geometry.
const SCALE = 12;
function units(text) {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text).trim());
  if (!match || (match[3] || "").length > SCALE) throw new Error(`Not an amount: ${text}`);
  const value = BigInt(match[2] + (match[3] || "").padEnd(SCALE, "0"));
  return match[1] ? -value : value;
}
function fromUnits(value) {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(SCALE + 1, "0");
  let fraction = digits.slice(-SCALE).replace(/0+$/, "");
  if (fraction.length < 2) fraction = fraction.padEnd(2, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -SCALE)}.${fraction}`;
}
function sum(amounts) {
  return fromUnits(amounts.reduce((total, amount) => total + units(amount), 0n));
}
function exact(text, { sign = false } = {}) {
  const [whole, fraction] = String(text).split(".");
  const negative = whole.startsWith("-");
  const grouped = whole.replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const plus = sign && !negative && (units(text) !== 0n) ? "+" : "";
  return `${negative ? "-" : plus}${grouped}.${(fraction || "").padEnd(2, "0")}`;
}
function money(text, currency, options) {
  return `${exact(text, options)} ${currency}`;
}
function short(value) {
  const size = Math.abs(value);
  if (size >= 1e6) return `${+(value / 1e6).toFixed(2)}M`;
  if (size >= 1e3) return `${+(value / 1e3).toFixed(1)}k`;
  return `${+value.toFixed(2)}`;
}

// Days as ISO strings (UTC): the day ``shift`` days after ``text``, and the days from ``first`` to before ``end``.
function day(text, shift = 0) {
  const d = new Date(`${text}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + shift);
  return d.toISOString().slice(0, 10);
}
function days(first, end) {
  const out = [];
  for (let d = first; d < end; d = day(d, 1)) out.push(d);
  return out;
}

// DOM.
function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
const SVG_NS = "http://www.w3.org/2000/svg";
function s(tag, attributes = {}, parent = null) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  if (parent) parent.append(node);
  return node;
}

// Colors that read on light and dark backgrounds alike.
const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#8cd17d", "#bab0ac", "#d37295"];
const color = (index) => PALETTE[index % PALETTE.length];

// A linear scale and round tick values.
function scale(domainMin, domainMax, rangeMin, rangeMax) {
  const span = domainMax - domainMin || 1;
  return (value) => rangeMin + ((value - domainMin) / span) * (rangeMax - rangeMin);
}
function ticks(min, max, count = 5) {
  // Round values from at or below min to at or above max, so a scale over the first and last spans all the data.
  const span = max - min || Math.abs(max) || 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((m) => m >= raw);
  const first = Math.floor(min / step + 1e-9), last = Math.ceil(max / step - 1e-9);
  const out = [];
  for (let i = first; i <= Math.max(last, first + 1); i++) out.push(+(i * step).toFixed(10));
  return out;
}
// A y axis with grid lines across [left, right].
function yAxis(svg, y, values, left, right) {
  const group = s("g", { class: "grid" }, svg);
  for (const value of values) {
    s("line", { x1: left, x2: right, y1: y(value), y2: y(value) }, group);
    s("text", { x: left - 6, y: y(value) + 4, "text-anchor": "end", text: short(value) }, group);
  }
}

// One tooltip for the page: shown for any element given hover(element, lines).
function hover(element, lines) {
  element.addEventListener("mousemove", (event) => {
    const tip = document.getElementById("tip");
    tip.textContent = lines.join("\n");
    tip.style.display = "block";
    const x = Math.min(event.clientX + 12, window.innerWidth - tip.offsetWidth - 4);
    const y = event.clientY + 14 + tip.offsetHeight > window.innerHeight ? event.clientY - tip.offsetHeight - 8 : event.clientY + 14;
    tip.style.left = `${Math.max(4, x)}px`;
    tip.style.top = `${Math.max(4, y)}px`;
  });
  element.addEventListener("mouseleave", () => (document.getElementById("tip").style.display = "none"));
  s("title", { text: lines.join("\n") }, element instanceof SVGElement ? element : null);
}

// The header every answer shares: title, what the numbers are, and whether it is demo data.
function header(title, lines, data) {
  return [
    h("h1", {}, title, data.is_demo ? h("span", { class: "badge", title: data.source }, "DEMO DATA") : null),
    ...lines.filter(Boolean).map((line) => h("div", { class: "sub" }, line)),
  ];
}

// Shows a tool result: draw(structuredContent) builds the view's nodes; an error, or an answer without structured
// content, shows the answer's own text, as a client without views would.
function show(result, draw) {
  const main = document.getElementById("view");
  const text = (result.content || []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
  main.replaceChildren();
  main.removeAttribute("aria-busy");
  main.dataset.ready = "true";
  if (result.isError || !result.structuredContent) {
    main.append(h("p", { class: result.isError ? "error" : "" }, text || "The tool gave no answer."));
    return;
  }
  try {
    main.append(...draw(result.structuredContent));
  } catch (error) {
    main.replaceChildren(h("p", { class: "error" }, `This view could not draw the answer (${error.message}); here it is as text.`), h("pre", { class: "fallback" }, text));
  }
}

// Starts a view: connects to the host and draws each result it sends.
function start(draw) {
  document.body.append(h("div", { id: "tip", role: "tooltip" }));
  bridge.connect((result) => show(result, draw)).catch((error) => {
    document.getElementById("view").replaceChildren(h("p", { class: "error" }, `Could not connect to the host: ${error.message}`));
  });
}

// finops_cost_query pivots a trend (one row per group and currency, a column per period, null where a group had no
// cost): back to one row per cell, [period, ...group, currency, cost], as a total answer has them (without period).
function longForm(answer) {
  const columns = answer.columns, currencyAt = columns.indexOf("currency");
  if (answer.granularity === "total" || columns[currencyAt + 1] === "cost") return answer;
  const periods = columns.slice(currencyAt + 1);
  const cells = (rows) => (rows || []).flatMap((row) => periods.flatMap((period, i) =>
    row[currencyAt + 1 + i] === null ? [] : [[period, ...row.slice(0, currencyAt + 1), row[currencyAt + 1 + i]]]));
  return { ...answer, columns: ["period", ...columns.slice(0, currencyAt + 1), "cost"], rows: cells(answer.rows), other: cells(answer.other) };
}
