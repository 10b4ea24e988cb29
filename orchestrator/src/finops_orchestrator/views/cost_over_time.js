// finops_cost_query: one stacked bar per period and currency (currencies are never added together), a segment per
// group with its exact amount on hover; a total answer (no granularity) is one bar per group.
const W = 720, H = 260, M = { top: 10, right: 8, bottom: 34, left: 58 };

function draw(answer) {
  const data = longForm(answer);
  const columns = data.columns;
  const at = (name) => columns.indexOf(name);
  const periodAt = at("period"), currencyAt = at("currency"), costAt = at("cost");
  const groupAts = columns.map((_, i) => i).filter((i) => i !== periodAt && i < currencyAt);
  const label = (row) => groupAts.map((i) => (row[i] === null ? "(not set)" : row[i])).join(" · ") || "total";
  const rows = [...data.rows, ...(data.other || [])];
  const partial = new Set((data.partial_periods || []).map((p) => p[0]));
  const groups = groupAts.map((i) => columns[i]).join(" and ");
  const last = new Date(`${data.end_exclusive}T00:00:00Z`);
  last.setUTCDate(last.getUTCDate() - 1);
  const out = header(
    `Cost${groups ? ` by ${groups}` : ""}${data.granularity === "total" ? "" : `, ${data.granularity}`}`,
    [`${data.metric_meaning}`, `${data.start} through ${last.toISOString().slice(0, 10)} · ${data.source}`],
    data,
  );
  out.push(h("div", { class: "totals" }, Object.entries(data.totals).map(([currency, amount]) =>
    h("span", { "data-total": currency }, "Total ", h("b", { class: "amount" }, money(amount, currency))))));
  if (data.converted) {
    const c = data.converted;
    const rates = Object.entries(c.rates).map(([from, rate]) => `1 ${from} = ${rate} ${c.currency}`).join(", ");
    out.push(h("div", { class: "sub" }, `Converted: ${money(c.total, c.currency)}${rates ? ` at ${rates}` : ""}${c.rates_as_of ? ` as of ${c.rates_as_of}` : ""}`));
  }
  const currencies = [...new Set(rows.map((r) => r[currencyAt]))];
  for (const currency of currencies) {
    const mine = rows.filter((r) => r[currencyAt] === currency);
    out.push(periodAt < 0 ? bars(mine, currency, label, costAt) : stacked(mine, currency, label, periodAt, costAt, partial));
  }
  if (partial.size) out.push(h("p", { class: "note" }, `Lighter bars are partial ${data.granularity === "weekly" ? "weeks" : "months"}, cut by the period: ${[...partial].join(", ")}.`));
  if (data.truncated) out.push(h("p", { class: "note" }, "Smaller groups are summed in (other); ask with a larger top_n to see them."));
  if (data.note) out.push(h("p", { class: "note" }, data.note));
  out.push(table(columns, rows, costAt));
  return out;
}

// Series ordered by their total, largest first, so the largest sits at the bottom of every stack.
function seriesOf(rows, label, costAt) {
  const totals = new Map();
  for (const row of rows) totals.set(label(row), [...(totals.get(label(row)) || []), row[costAt]]);
  return [...totals].map(([name, amounts]) => ({ name, total: sum(amounts) })).sort((a, b) => Number(units(b.total) - units(a.total)));
}

function legend(series, currency) {
  return h("div", { class: "legend" }, series.map((one, i) =>
    h("span", { "data-series": one.name }, h("span", { class: "swatch", style: `background:${color(i)}` }), `${one.name} `, h("span", { class: "amount" }, money(one.total, currency)))));
}

function stacked(rows, currency, label, periodAt, costAt, partial) {
  const series = seriesOf(rows, label, costAt);
  const index = new Map(series.map((one, i) => [one.name, i]));
  const periods = [...new Set(rows.map((r) => r[periodAt]))].sort();
  const byPeriod = new Map(periods.map((p) => [p, rows.filter((r) => r[periodAt] === p).sort((a, b) => index.get(label(a)) - index.get(label(b)))]));
  // Negative amounts (credits) stack below zero, positive ones above.
  let low = 0, high = 0;
  for (const list of byPeriod.values()) {
    const values = list.map((r) => Number(r[costAt]));
    high = Math.max(high, values.filter((v) => v > 0).reduce((a, b) => a + b, 0));
    low = Math.min(low, values.filter((v) => v < 0).reduce((a, b) => a + b, 0));
  }
  const marks = ticks(low, high);
  const y = scale(Math.min(low, marks[0]), Math.max(high, marks[marks.length - 1]), H - M.bottom, M.top);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `Cost in ${currency} per period` });
  yAxis(svg, y, marks, M.left, W - M.right);
  const band = (W - M.left - M.right) / periods.length;
  const width = Math.max(2, band * 0.72);
  const every = Math.ceil(periods.length / Math.floor((W - M.left) / 64));
  periods.forEach((period, i) => {
    const x = M.left + i * band + (band - width) / 2;
    const list = byPeriod.get(period);
    const total = sum(list.map((r) => r[costAt]));
    let up = 0, down = 0;
    const group = s("g", { class: "bar", "data-period": period, "data-currency": currency, "data-total": total, opacity: partial.has(period) ? 0.55 : 1 }, svg);
    for (const row of list) {
      const value = Number(row[costAt]);
      const from = value >= 0 ? up : down;
      const to = from + value;
      if (value >= 0) up = to; else down = to;
      const rect = s("rect", {
        class: "segment", x, width, y: Math.min(y(from), y(to)), height: Math.max(0.5, Math.abs(y(from) - y(to))),
        fill: color(index.get(label(row))), "data-period": period, "data-series": label(row), "data-currency": currency, "data-amount": row[costAt],
      }, group);
      hover(rect, [`${period}${partial.has(period) ? " (partial)" : ""} · ${label(row)}`, money(row[costAt], currency), `Period total ${money(total, currency)}`]);
    }
    if (i % every === 0) s("text", { x: x + width / 2, y: H - M.bottom + 16, "text-anchor": "middle", text: period }, svg);
  });
  s("line", { class: "zero", x1: M.left, x2: W - M.right, y1: y(0), y2: y(0) }, svg);
  return h("figure", { "data-currency": currency }, legend(series, currency), svg);
}

function bars(rows, currency, label, costAt) {
  const series = seriesOf(rows, label, costAt);
  const row = 22, left = 200, height = series.length * row + 24;
  const values = series.map((one) => Number(one.total));
  const marks = ticks(Math.min(0, ...values), Math.max(0, ...values));
  const x = scale(marks[0], marks[marks.length - 1], left, W - 70);
  const svg = s("svg", { viewBox: `0 0 ${W} ${height}`, role: "img", "aria-label": `Cost in ${currency} per group` });
  series.forEach((one, i) => {
    const value = Number(one.total);
    const top = i * row;
    s("text", { x: left - 8, y: top + 15, "text-anchor": "end", text: one.name.length > 30 ? `${one.name.slice(0, 29)}…` : one.name }, svg);
    const rect = s("rect", { class: "segment", x: Math.min(x(0), x(value)), y: top + 3, height: row - 6, width: Math.max(0.5, Math.abs(x(value) - x(0))), fill: color(i), "data-series": one.name, "data-currency": currency, "data-amount": one.total }, svg);
    hover(rect, [one.name, money(one.total, currency)]);
    s("text", { x: Math.max(x(0), x(value)) + 6, y: top + 15, text: exact(one.total) }, svg);
  });
  for (const value of marks) s("text", { x: x(value), y: height - 4, "text-anchor": "middle", text: short(value) }, svg);
  return h("figure", { "data-currency": currency }, svg);
}

function table(columns, rows, costAt) {
  return h("details", {}, h("summary", {}, `The ${rows.length} rows`),
    h("table", {}, h("thead", {}, h("tr", {}, columns.map((c, i) => h("th", { class: i >= costAt ? "num" : "" }, c)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, r.map((v, i) => h("td", { class: i >= costAt ? "num amount" : "" }, i >= costAt && v !== null ? exact(v) : v === null ? "(not set)" : v)))))));
}

