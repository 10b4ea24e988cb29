// finops_anomalies: each anomaly marked on its own daily series (provider x service x account), which the view asks
// finops_cost_query for through the host; the anomaly's days are shaded, its peak day ringed. A host that does not
// pass tool calls on still gets the anomalies on the checked window, with their numbers.
const W = 720, H = 170, M = { top: 12, right: 8, bottom: 24, left: 58 };
const CONTEXT_DAYS = 28; // days before the checked window, so the series shows what "usual" was
const CHARTS = 8;

const seriesName = (a) => [a.provider, a.service, a.account].filter(Boolean).join(" · ");

function draw(data) {
  const out = header(`Anomalies: ${data.count} in ${data.series_checked} series`,
    [data.metric_meaning, `${data.start} through ${day(data.end, -1)} · ${data.method}`, data.source], data);
  if (data.spike_impact.length) out.push(h("div", { class: "totals" }, data.spike_impact.map((m) =>
    h("span", { "data-impact": m.currency }, "Spikes cost ", h("b", { class: "amount up" }, money(m.amount, m.currency)), " over expected"))));
  data.anomalies.forEach((a, i) => out.push(card(data, a, i)));
  if (data.truncated) out.push(h("p", { class: "note" }, `The ${data.anomalies.length} largest of ${data.count} are shown; raise top_n for the rest.`));
  out.push(h("p", { class: "note" }, data.note));
  return out;
}

function card(data, a, i) {
  const c = a.currency;
  const figure = h("figure", { class: "anomaly", "data-index": i, "data-series": seriesName(a), "data-start": a.start, "data-last-day": a.last_day, "data-impact": a.impact },
    h("h2", {}, `${seriesName(a)}`),
    h("div", { class: "totals" },
      h("span", {}, `${a.direction === "spike" ? "Spike" : "Drop"} ${a.start}${a.days > 1 ? ` to ${a.last_day}` : ""} (${a.days} day${a.days > 1 ? "s" : ""}) `),
      h("span", {}, "impact ", h("b", { class: `amount ${a.direction === "spike" ? "up" : "down"}` }, money(a.impact, c, { sign: true }))),
      h("span", {}, "actual ", h("span", { class: "amount" }, money(a.actual, c))),
      h("span", {}, "expected ", h("span", { class: "amount" }, money(a.expected, c))),
      h("span", {}, `peak ${a.peak_day} (score ${a.peak_score})`)));
  if (i >= CHARTS) return figure;
  const first = day(data.start, -CONTEXT_DAYS);
  const slot = h("div", { class: "status" }, "Loading the daily series…");
  figure.append(slot);
  if (!bridge.canCallTools()) {
    slot.replaceWith(timeline(data, a), h("p", { class: "note" }, "This host does not pass tool calls from views on, so the daily series is not shown."));
    return figure;
  }
  const args = { start: first, end: data.end, granularity: "daily", metric: data.metric, providers: [a.provider], services: [a.service] };
  if (a.account) args.accounts = [a.account];
  bridge.callTool("finops_cost_query", args).then((result) => {
    if (result.isError || !result.structuredContent) throw new Error((result.content || []).map((x) => x.text).join(" "));
    slot.replaceWith(series(longForm(result.structuredContent), a, first, data.end));
  }).catch((error) => slot.replaceWith(timeline(data, a), h("p", { class: "note" }, `The daily series could not be read: ${error.message}`)));
  return figure;
}

// The daily cost of the anomaly's series (from finops_cost_query), the anomaly's days shaded, the peak ringed.
function series(answer, a, first, endExclusive) {
  const c = a.currency;
  const columns = answer.columns;
  const amounts = new Map(answer.rows.filter((r) => r[columns.indexOf("currency")] === c).map((r) => [r[columns.indexOf("period")], r[columns.indexOf("cost")]]));
  const all = days(first, endExclusive);
  const values = all.map((d) => Number(amounts.get(d) || 0));
  const marks = ticks(Math.min(0, ...values), Math.max(...values) * 1.08);
  const y = scale(marks[0], marks[marks.length - 1], H - M.bottom, M.top);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `Daily cost of ${seriesName(a)} in ${c}` });
  yAxis(svg, y, marks, M.left, W - M.right);
  const band = (W - M.left - M.right) / all.length;
  const at = (d) => M.left + all.indexOf(d) * band;
  s("rect", { class: "anomaly-span", x: at(a.start), width: band * a.days, y: M.top, height: H - M.top - M.bottom, fill: "var(--color-text-danger)", "fill-opacity": 0.13, "data-start": a.start, "data-last-day": a.last_day }, svg);
  all.forEach((d, i) => {
    const inside = d >= a.start && d <= a.last_day;
    const amount = amounts.get(d) || "0";
    const rect = s("rect", { class: inside ? "day in-anomaly" : "day", x: M.left + i * band + band * 0.15, width: band * 0.7, y: Math.min(y(0), y(values[i])), height: Math.max(0.5, Math.abs(y(values[i]) - y(0))),
      fill: inside ? "var(--color-text-danger)" : "#8a8f98", "data-day": d, "data-amount": amount }, svg);
    hover(rect, [`${d}${inside ? " (anomaly)" : ""}`, money(amount, c)]);
  });
  const peak = all.indexOf(a.peak_day);
  if (peak >= 0) s("circle", { class: "peak", cx: M.left + peak * band + band / 2, cy: y(values[peak]) - 7, r: 4.5, fill: "none", stroke: "var(--color-text-danger)", "stroke-width": 2, "data-day": a.peak_day }, svg);
  const expected = Number(a.expected) / a.days;
  s("line", { class: "expected", x1: at(a.start), x2: at(a.start) + band * a.days, y1: y(expected), y2: y(expected), stroke: "var(--color-text-primary)", "stroke-dasharray": "4 3", "stroke-width": 1.5 }, svg);
  s("text", { x: M.left, y: H - 6, text: first }, svg);
  s("text", { x: at(a.start) + band / 2, y: H - 6, "text-anchor": "middle", text: a.start }, svg);
  s("text", { x: W - M.right, y: H - 6, "text-anchor": "end", text: day(endExclusive, -1) }, svg);
  return h("div", {}, svg, h("figcaption", {}, `Daily ${answer.metric} cost in ${c}; shaded: the anomaly; dashed: its expected cost per day (same-weekday medians, averaged); ringed: the peak day.`));
}

// Without the series: the checked window as a strip, the anomaly's days marked on it.
function timeline(data, a) {
  const all = days(data.start, data.end);
  const svg = s("svg", { viewBox: `0 0 ${W} 44`, role: "img", "aria-label": "Anomaly on the checked window" });
  const band = (W - M.left - M.right) / all.length;
  s("rect", { x: M.left, y: 8, width: band * all.length, height: 14, fill: "var(--color-border-secondary)" }, svg);
  s("rect", { class: "anomaly-span", x: M.left + all.indexOf(a.start) * band, y: 4, width: band * a.days, height: 22, fill: "var(--color-text-danger)", "data-start": a.start, "data-last-day": a.last_day }, svg);
  s("text", { x: M.left, y: 40, text: data.start }, svg);
  s("text", { x: M.left + all.length * band, y: 40, "text-anchor": "end", text: day(data.end, -1) }, svg);
  return svg;
}

