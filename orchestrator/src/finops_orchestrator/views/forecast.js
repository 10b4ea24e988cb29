// finops_forecast: per series and currency, this month's end (the exact month-to-date, then the forecast rest) and
// the next N days, each with its 80% interval drawn as a band around the forecast; then the month so far, day by day
// (finops_cost_query through the host), cumulative, running into the month-end forecast and its interval.
const W = 720, ROW = 30, M = { left: 150, right: 200 };

function draw(data) {
  const out = header(`Forecast by ${data.by}, as of ${data.as_of}`, [data.metric_meaning, `${data.method} · ${data.source}`], data);
  const currencies = [...new Set(data.series.map((one) => one.currency))];
  for (const currency of currencies) out.push(chart(data, data.series.filter((one) => one.currency === currency), currency));
  if (!data.series.length) out.push(h("p", { class: "note" }, "No series to forecast."));
  else out.push(month(data));
  out.push(h("p", { class: "note" }, data.note));
  out.push(table(data));
  return out;
}

function chart(data, series, currency) {
  const high = Math.max(...series.flatMap((one) => [Number(one.month_end_high), Number(one.next_days_high), Number(one.month_end)]));
  const marks = ticks(0, high * 1.04);
  const x = scale(0, marks[marks.length - 1], M.left, W - M.right);
  const height = series.length * ROW * 2 + 30;
  const svg = s("svg", { viewBox: `0 0 ${W} ${height}`, role: "img", "aria-label": `Forecast in ${currency}` });
  const grid = s("g", { class: "grid" }, svg);
  for (const value of marks) {
    s("line", { x1: x(value), x2: x(value), y1: 0, y2: height - 22 }, grid);
    s("text", { x: x(value), y: height - 6, "text-anchor": "middle", text: short(value) }, grid);
  }
  series.forEach((one, i) => {
    const top = i * ROW * 2;
    const g = s("g", { class: "series", "data-series": one.series, "data-currency": currency }, svg);
    s("text", { x: M.left - 8, y: top + 19, "text-anchor": "end", text: one.series, "font-weight": 600 }, g);
    s("text", { x: M.left - 8, y: top + ROW + 19, "text-anchor": "end", text: `next ${data.horizon_days} days` }, g);
    // Month end: the actual month-to-date, then the forecast rest of the month, the interval as a band.
    const mtd = s("rect", { class: "actual", x: x(0), y: top + 7, height: 16, width: Math.max(0.5, x(Number(one.month_to_date)) - x(0)), fill: color(i), "data-amount": one.month_to_date }, g);
    hover(mtd, [`${one.series}: month to date (actual)`, money(one.month_to_date, currency)]);
    const rest = s("rect", { class: "forecast", x: x(Number(one.month_to_date)), y: top + 7, height: 16, width: Math.max(0.5, x(Number(one.month_end)) - x(Number(one.month_to_date))), fill: color(i), "fill-opacity": 0.45, "data-amount": one.month_end }, g);
    hover(rest, [`${one.series}: month end (forecast)`, money(one.month_end, currency), `80% interval ${exact(one.month_end_low)} to ${exact(one.month_end_high)}`]);
    band(g, x, top + 3, one.month_end_low, one.month_end_high, one.month_end, currency, `${one.series}: month end`, "month-end");
    // The next N days: the forecast with its band.
    const next = s("rect", { class: "forecast", x: x(0), y: top + ROW + 7, height: 16, width: Math.max(0.5, x(Number(one.next_days)) - x(0)), fill: color(i), "fill-opacity": 0.3, "data-amount": one.next_days }, g);
    hover(next, [`${one.series}: next ${data.horizon_days} days (forecast)`, money(one.next_days, currency), `80% interval ${exact(one.next_days_low)} to ${exact(one.next_days_high)}`]);
    band(g, x, top + ROW + 3, one.next_days_low, one.next_days_high, one.next_days, currency, `${one.series}: next ${data.horizon_days} days`, "next-days");
  });
  return h("figure", { "data-currency": currency }, svg,
    h("figcaption", {}, `${currency}: solid = actual month to date, lighter = forecast, band and whiskers = the 80% interval.`));
}

function band(g, x, top, low, high, point, currency, what, kind) {
  const area = s("rect", { class: "band", x: x(Number(low)), y: top, height: 24, width: Math.max(1, x(Number(high)) - x(Number(low))), fill: "var(--color-text-primary)", "fill-opacity": 0.16, "data-kind": kind, "data-low": low, "data-high": high }, g);
  for (const edge of [low, high]) s("line", { x1: x(Number(edge)), x2: x(Number(edge)), y1: top, y2: top + 24, stroke: "var(--color-text-primary)", "stroke-width": 1.5 }, g);
  s("line", { class: "point", x1: x(Number(point)), x2: x(Number(point)), y1: top - 2, y2: top + 26, stroke: "var(--color-text-primary)", "stroke-width": 2.5, "data-amount": point }, g);
  s("text", { x: x(Number(high)) + 8, y: top + 11, text: exact(point), "font-weight": 600 }, g);
  s("text", { x: x(Number(high)) + 8, y: top + 24, text: `${exact(low)} to ${exact(high)}` }, g);
  hover(area, [what, `${money(point, currency)} forecast`, `80% interval ${exact(low)} to ${exact(high)} ${currency}`]);
}

// The month so far, cumulative per series, and from today a band to the month-end interval. The band is drawn
// straight from today's actual to the month end's low and high: the answer gives the interval at the month's end only.
function month(data) {
  const first = `${data.as_of.slice(0, 8)}01`;
  const end = `${day(first, 32).slice(0, 8)}01`; // the next month's first day
  const section = h("section", { class: "month" }, h("h2", {}, `${first.slice(0, 7)} so far, cumulative, and where it ends`));
  const slot = h("p", { class: "status" }, "Loading this month's daily cost…");
  section.append(slot);
  const drawIt = (rows, columns) => slot.replaceWith(...[...new Set(data.series.map((one) => one.currency))].map((c) => cumulative(data, rows, columns, c, first, end)));
  if (first === data.as_of) {
    drawIt([], ["period", "currency", "cost"]);
    return section;
  }
  if (!bridge.canCallTools()) {
    slot.textContent = "This host does not pass tool calls from views on, so the month's daily cost is not shown.";
    return section;
  }
  // Only the series drawn: an answer of every group's every day would be folded to fit finops_cost_query's ceiling.
  const drawn = [...new Set(data.series.map((one) => one.series).filter((name) => name !== "(other)"))];
  const args = { start: first, end: data.as_of, granularity: "daily", metric: data.metric, top_n: Math.max(1, drawn.length) };
  if (data.by !== "total") args.group_by = [data.by];
  const asked = bridge.toolInput();
  if (Array.isArray(asked.providers) && asked.providers.length) args.providers = asked.providers;
  if (data.by === "provider" && drawn.length) args.providers = drawn;
  if (data.by === "service" && drawn.length) args.services = drawn;
  bridge.callTool("finops_cost_query", args).then((result) => {
    if (result.isError || !result.structuredContent) throw new Error((result.content || []).map((x) => x.text).join(" "));
    const answer = longForm(result.structuredContent);
    drawIt([...answer.rows, ...(answer.other || [])], answer.columns);
  }).catch((error) => (slot.textContent = `The month's daily cost could not be read: ${error.message}`));
  return section;
}

function cumulative(data, rows, columns, currency, first, end) {
  const H = 240, P = { top: 10, right: 16, bottom: 24, left: 62 };
  const at = (name) => columns.indexOf(name);
  const groupAt = data.by === "total" ? -1 : at(data.by);
  const all = days(first, end);
  const today = all.indexOf(data.as_of);
  const x = scale(0, all.length, P.left, W - P.right); // x(i): the end of day i (i days into the month)
  const series = data.series.filter((one) => one.currency === currency && one.series !== "(other)");
  const high = Math.max(...series.map((one) => Number(one.month_end_high)), 1);
  const marks = ticks(0, high);
  const y = scale(0, marks[marks.length - 1], H - P.bottom, P.top);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `This month's cumulative cost in ${currency}` });
  yAxis(svg, y, marks, P.left, W - P.right);
  s("line", { x1: x(today), x2: x(today), y1: P.top, y2: H - P.bottom, stroke: "var(--color-text-secondary)", "stroke-dasharray": "3 3" }, svg);
  s("text", { x: x(today) - 4, y: H - P.bottom - 6, "text-anchor": "end", text: `today (${data.as_of})` }, svg);
  s("text", { x: x(0), y: H - 6, text: first }, svg);
  s("text", { x: x(all.length), y: H - 6, "text-anchor": "end", text: all[all.length - 1] }, svg);
  const notes = [];
  series.forEach((one) => {
    const index = data.series.indexOf(one);
    const mine = rows.filter((r) => r[at("currency")] === currency && (groupAt < 0 || r[groupAt] === one.series));
    const byDay = new Map();
    for (const r of mine) byDay.set(r[at("period")], [...(byDay.get(r[at("period")]) || []), r[at("cost")]]);
    let running = "0";
    const points = [[0, 0]];
    const g = s("g", { class: "month-series", "data-series": one.series, "data-currency": currency }, svg);
    all.slice(0, today).forEach((d, i) => {
      running = sum([running, ...(byDay.get(d) || [])]);
      points.push([i + 1, Number(running)]);
      const dot = s("circle", { class: "actual-day", cx: x(i + 1), cy: y(Number(running)), r: 2.2, fill: color(index), "data-day": d, "data-amount": running }, g);
      hover(dot, [`${one.series}, through ${d}`, money(running, currency)]);
    });
    s("polyline", { points: points.map(([i, v]) => `${x(i)},${y(v)}`).join(" "), fill: "none", stroke: color(index), "stroke-width": 2 }, g);
    if (units(running) !== units(one.month_to_date)) notes.push(`${one.series}: the daily costs add up to ${money(running, currency)}, the forecast's month to date is ${money(one.month_to_date, currency)} (the store changed in between?).`);
    const from = [x(today), y(Number(one.month_to_date))];
    const cone = s("polygon", { class: "cone", points: `${from} ${x(all.length)},${y(Number(one.month_end_high))} ${x(all.length)},${y(Number(one.month_end_low))}`, fill: color(index), "fill-opacity": 0.22, "data-low": one.month_end_low, "data-high": one.month_end_high }, g);
    hover(cone, [`${one.series}: month end`, `${money(one.month_end, currency)} forecast`, `80% interval ${exact(one.month_end_low)} to ${exact(one.month_end_high)}`]);
    s("line", { x1: from[0], y1: from[1], x2: x(all.length), y2: y(Number(one.month_end)), stroke: color(index), "stroke-width": 2, "stroke-dasharray": "5 4" }, g);
    s("text", { x: x(all.length) - 4, y: y(Number(one.month_end)) - 6, "text-anchor": "end", text: `${one.series} ${short(Number(one.month_end))}` }, g);
  });
  return h("figure", { class: "month-chart", "data-currency": currency }, svg,
    h("figcaption", {}, `${currency}: solid = actual, cumulative (exact, from finops_cost_query); dashed = forecast to the month end; shaded = its 80% interval.`),
    ...notes.map((n) => h("p", { class: "note error" }, n)));
}

function table(data) {
  const error = (one) => one.backtest_error_percent ?? one.backtest_mape_percent;
  const naive = (one) => one.seasonal_naive_error_percent ?? one.seasonal_naive_mape_percent;
  const interval = (low, high) => `${exact(low)} to ${exact(high)}`;
  return h("table", { class: "numbers" },
    h("thead", {}, h("tr", {}, h("th", {}, "series"), h("th", { class: "num" }, "month to date"), h("th", { class: "num" }, "month end"), h("th", { class: "num" }, "80% interval"),
      h("th", { class: "num" }, `next ${data.horizon_days} days`), h("th", { class: "num" }, "80% interval"), h("th", { class: "num" }, "backtest error (naive)"))),
    h("tbody", {}, data.series.map((one) => h("tr", { "data-series": one.series, "data-currency": one.currency },
      h("td", {}, `${one.series} (${one.currency})`),
      h("td", { class: "num amount" }, exact(one.month_to_date)),
      h("td", { class: "num amount" }, exact(one.month_end)),
      h("td", { class: "num amount" }, interval(one.month_end_low, one.month_end_high)),
      h("td", { class: "num amount" }, exact(one.next_days)),
      h("td", { class: "num amount" }, interval(one.next_days_low, one.next_days_high)),
      h("td", { class: "num" }, error(one) == null ? "n/a" : `${error(one)}%${naive(one) == null ? "" : ` (${naive(one)}%)`}`)))));
}

