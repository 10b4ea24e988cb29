// finops_explain_change: per currency a waterfall from the baseline total through each driver's change (largest
// first; they add up exactly to the total change) to the current total. Increases red, decreases green.
const W = 720, H = 300, M = { top: 22, right: 8, bottom: 70, left: 62 };

const lastDay = (end) => {
  const day = new Date(`${end}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - 1);
  return day.toISOString().slice(0, 10);
};

function draw(data) {
  const span = (p) => `${p.start} through ${lastDay(p.end)} (${p.days} days)`;
  const out = header(`What changed, by ${data.dimension}${data.drill_down ? ` then ${data.drill_down}` : ""}`,
    [data.metric_meaning, `${span(data.current)} against ${span(data.baseline)} · ${data.source}`], data);
  if (!data.currencies.length) out.push(h("p", { class: "note" }, data.note));
  for (const change of data.currencies) out.push(waterfall(change));
  if (data.currencies.length && data.note) out.push(h("p", { class: "note" }, data.note));
  return out;
}

const name = (driver) => (driver.value === null ? "(not set)" : driver.value);

function waterfall(change) {
  const c = change.currency;
  // Each step: where its bar starts and ends, in exact amounts (the running total), and as numbers for drawing.
  const steps = [{ kind: "total", label: "Baseline", from: "0", to: change.baseline, amount: change.baseline }];
  let running = change.baseline;
  for (const driver of change.drivers) {
    const next = sum([running, driver.change]);
    steps.push({ kind: "driver", label: name(driver), from: running, to: next, amount: driver.change, driver });
    running = next;
  }
  steps.push({ kind: "total", label: "Current", from: "0", to: change.current, amount: change.current });
  // Changes are small beside the totals: the axis starts near the lowest running total, not at zero.
  const levels = steps.filter((st) => st.kind === "driver").flatMap((st) => [Number(st.from), Number(st.to)]).concat([Number(change.baseline), Number(change.current)]);
  const lo = Math.min(...levels), hi = Math.max(...levels);
  const pad = (hi - lo) * 0.15 || Math.abs(hi) * 0.05 || 1;
  const marks = ticks(Math.max(0, lo - 3 * pad), hi + pad);
  const y = scale(marks[0], marks[marks.length - 1], H - M.bottom, M.top);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `Change in ${c}` });
  yAxis(svg, y, marks, M.left, W - M.right);
  const band = (W - M.left - M.right) / steps.length;
  const width = Math.min(56, band * 0.66);
  steps.forEach((st, i) => {
    const x = M.left + i * band + (band - width) / 2;
    const top = st.kind === "total" ? y(Number(st.to)) : Math.min(y(Number(st.from)), y(Number(st.to)));
    const bottom = st.kind === "total" ? H - M.bottom : Math.max(y(Number(st.from)), y(Number(st.to)));
    const up = units(st.amount) > 0n;
    const fill = st.kind === "total" ? "#8a8f98" : up ? "var(--color-text-danger)" : "var(--color-text-success)";
    const rect = s("rect", { class: st.kind === "total" ? "total" : "driver", x, width, y: top, height: Math.max(1, bottom - top), fill, "data-label": st.label, "data-currency": c, "data-amount": st.amount }, svg);
    const lines = st.kind === "total"
      ? [`${st.label} total`, money(st.amount, c)]
      : [st.label, `${money(st.driver.baseline, c)} → ${money(st.driver.current, c)}`, `Change ${money(st.amount, c, { sign: true })}${st.driver.share_of_change === null ? "" : ` (${st.driver.share_of_change}% of the change)`}`,
         ...st.driver.breakdown.slice(0, 6).map((d) => `  ${name(d)}: ${money(d.change, c, { sign: true })}`)];
    hover(rect, lines);
    if (i < steps.length - 1) {
      const level = y(Number(st.to));
      s("line", { x1: x + width, x2: x + band, y1: level, y2: level, stroke: "var(--color-text-secondary)", "stroke-dasharray": "2 2" }, svg);
    }
    s("text", { x: x + width / 2, y: top - 5, "text-anchor": "middle", class: "value", text: st.kind === "total" ? short(Number(st.amount)) : `${up ? "+" : ""}${short(Number(st.amount))}` }, svg);
    const label = st.label.length > 16 ? `${st.label.slice(0, 15)}…` : st.label;
    s("text", { x: x + width / 2, y: H - M.bottom + 12, "text-anchor": "end", transform: `rotate(-35 ${x + width / 2} ${H - M.bottom + 12})`, text: label }, svg);
  });
  const percent = change.change_percent === null ? "" : ` (${change.change_percent > 0 ? "+" : ""}${change.change_percent}%)`;
  const sign = units(change.change) > 0n ? "up" : units(change.change) < 0n ? "down" : "";
  return h("figure", { "data-currency": c },
    h("div", { class: "totals" },
      h("span", {}, "Baseline ", h("b", { class: "amount", "data-baseline": change.baseline }, money(change.baseline, c))),
      h("span", {}, "Current ", h("b", { class: "amount", "data-current": change.current }, money(change.current, c))),
      h("span", {}, "Change ", h("b", { class: `amount ${sign}`, "data-change": change.change }, money(change.change, c, { sign: true })), percent)),
    svg, marks[0] > 0 ? h("figcaption", {}, `The axis starts at ${short(marks[0])}, not at zero, so the changes show.`) : null, drivers(change));
}

function drivers(change) {
  const c = change.currency;
  return h("details", {}, h("summary", {}, `The ${change.drivers.length} drivers (${c})`),
    h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "driver"), h("th", { class: "num" }, "baseline"), h("th", { class: "num" }, "current"), h("th", { class: "num" }, "change"), h("th", { class: "num" }, "share"))),
      h("tbody", {}, change.drivers.map((d) => h("tr", {}, h("td", {}, name(d)), h("td", { class: "num amount" }, exact(d.baseline)), h("td", { class: "num amount" }, exact(d.current)),
        h("td", { class: `num amount ${units(d.change) > 0n ? "up" : "down"}` }, exact(d.change, { sign: true })), h("td", { class: "num" }, d.share_of_change === null ? "" : `${d.share_of_change}%`))))));
}

