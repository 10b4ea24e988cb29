// finops_savings: the opportunities as a table to choose from. "Plan" asks finops_plan_remediation (through the
// host) for a plan of the chosen recommendations: it dry-runs each change and stores the plan, and changes nothing.
// Running it still takes a person's approval (finops_execute_plan asks them, or `finops approve PLAN_ID`).
const CLOUD = { aws: "AWS", azure: "Azure", gcp: "Google Cloud" };

function draw(data) {
  const out = header(`Savings: ${data.count} opportunit${data.count === 1 ? "y" : "ies"}`, [data.note], data);
  out.push(h("div", { class: "totals" },
    data.total_monthly_savings.map((m) => h("span", { "data-total": m.currency }, "Total ", h("b", { class: "amount" }, money(m.amount, m.currency)), " a month")),
    data.by_provider.map((p) => h("span", { class: "sub", "data-provider": p.provider }, `${CLOUD[p.provider] || p.provider}: `, h("span", { class: "amount" }, money(p.monthly_savings.amount, p.monthly_savings.currency)), ` (${p.opportunities})`))));
  for (const m of [...data.missing, ...data.from_last_sync]) out.push(h("p", { class: "note" }, `${CLOUD[m.provider] || m.provider}: ${m.reason}`));
  // Recommendation ids are unique within a cloud only: rows are told apart by cloud and id.
  const key = (r) => `${r.provider}/${r.recommendation_id}`;
  const ids = data.opportunities.map(({ recommendation: r }) => r.recommendation_id);
  const shared = new Set(ids.filter((id, i) => ids.indexOf(id) !== i));
  const chosen = new Map();
  const selected = h("span", { class: "sub", id: "selected" }, "Choose the changes to plan.");
  const plan = h("button", { id: "plan", disabled: true }, "Plan the chosen changes");
  const result = h("div", { id: "plan-result" });
  const update = () => {
    const byCurrency = new Map();
    for (const r of chosen.values()) byCurrency.set(r.monthly_savings.currency, [...(byCurrency.get(r.monthly_savings.currency) || []), r.monthly_savings.amount]);
    selected.textContent = chosen.size
      ? `${chosen.size} chosen, saving ${[...byCurrency].map(([currency, amounts]) => money(sum(amounts), currency)).join(" + ")} a month`
      : "Choose the changes to plan.";
    plan.disabled = !chosen.size || !bridge.canCallTools();
  };
  const rows = data.opportunities.map(({ recommendation: r, alternatives }) => {
    const box = h("input", { type: "checkbox", "aria-label": `Choose ${r.title}`, disabled: !r.action, title: r.action ? null : "No automated change: act on this one by hand.",
      onchange: (event) => { if (event.target.checked) chosen.set(key(r), r); else chosen.delete(key(r)); update(); } });
    return h("tr", { "data-id": r.recommendation_id, "data-provider": r.provider },
      h("td", {}, box),
      h("td", {}, CLOUD[r.provider] || r.provider),
      h("td", {}, r.title, r.resource_id ? h("div", { class: "mono" }, r.resource_id) : null, r.detail ? h("div", { class: "sub" }, r.detail) : null,
        alternatives.length ? h("div", { class: "sub" }, `Also recommended: ${alternatives.join(", ")}`) : null),
      h("td", { class: "num amount", "data-amount": r.monthly_savings.amount, "data-currency": r.monthly_savings.currency }, money(r.monthly_savings.amount, r.monthly_savings.currency)),
      h("td", {}, r.effort), h("td", {}, r.risk),
      h("td", {}, r.action ? r.action.kind.replaceAll("_", " ") : "by hand"));
  });
  out.push(h("table", { class: "opportunities" },
    h("thead", {}, h("tr", {}, h("th", {}, ""), h("th", {}, "cloud"), h("th", {}, "opportunity"), h("th", { class: "num" }, "a month"), h("th", {}, "effort"), h("th", {}, "risk"), h("th", {}, "change"))),
    h("tbody", {}, rows)));
  if (data.truncated) out.push(h("p", { class: "note" }, `The ${data.opportunities.length} largest of ${data.count} are listed; ask with a larger top_n for the rest.`));
  out.push(h("p", {}, plan, " ", selected));
  if (!bridge.canCallTools()) out.push(h("p", { class: "note" }, "This host does not pass tool calls from views on: ask the assistant to plan the recommendation ids you want."));
  out.push(result);
  plan.addEventListener("click", async () => {
    // By id, unless another cloud's recommendation has the same id: then as the change itself.
    const picked = [...chosen.values()];
    const args = {};
    const byId = picked.filter((r) => !shared.has(r.recommendation_id)).map((r) => r.recommendation_id);
    const asActions = picked.filter((r) => shared.has(r.recommendation_id)).map((r) => r.action);
    if (byId.length) args.recommendation_ids = byId;
    if (asActions.length) args.actions = asActions;
    plan.disabled = true;
    result.replaceChildren(h("p", { class: "status" }, `Planning ${picked.length} change(s): each is dry-run by its cloud…`));
    try {
      const answer = await bridge.callTool("finops_plan_remediation", args);
      result.replaceChildren(...planned(answer));
      const p = answer.structuredContent;
      if (!answer.isError && p) {
        const saving = p.monthly_savings.map((m) => money(m.amount, m.currency)).join(" + ") || "no estimate";
        await bridge.tellModel(`In the savings view the person planned ${p.plan_id} (${p.steps.length} change(s), about ${saving} a month, hash ${p.plan_hash}). It is not approved and nothing has changed; finops_plan_status shows it.`).catch(() => {});
      }
    } catch (error) {
      result.replaceChildren(h("p", { class: "error" }, `The host could not call finops_plan_remediation: ${error.message}`));
    }
    update();
  });
  return out;
}

function planned(answer) {
  const text = (answer.content || []).map((c) => c.text).join("\n");
  if (answer.isError || !answer.structuredContent) {
    const hint = /unknown tool/i.test(text) ? " Planning needs the server started with remediation switched on (finops serve --allow-remediation)." : "";
    return [h("p", { class: "error", id: "plan-error" }, `${text}${hint}`)];
  }
  const p = answer.structuredContent;
  return [
    h("h2", {}, `Plan ${p.plan_id}: ${p.title}`),
    h("div", { class: "totals" }, p.monthly_savings.map((m) => h("span", { "data-plan-total": m.currency }, "Saves about ", h("b", { class: "amount" }, money(m.amount, m.currency)), " a month"))),
    h("table", { class: "steps" },
      h("thead", {}, h("tr", {}, h("th", {}, "step"), h("th", {}, "change"), h("th", {}, "dry run"), h("th", { class: "num" }, "a month"), h("th", {}, "undo"))),
      h("tbody", {}, p.steps.map((st) => h("tr", { "data-step": st.step, "data-recommendation": st.recommendation_id },
        h("td", {}, st.step), h("td", {}, st.summary, st.refusal ? h("div", { class: "error" }, st.refusal) : null), h("td", {}, st.dry_run),
        h("td", { class: "num amount" }, st.monthly_savings ? money(st.monthly_savings.amount, st.monthly_savings.currency) : ""),
        h("td", { class: "sub" }, st.undo))))),
    h("p", { class: "mono" }, `Hash ${p.plan_hash}`),
    h("p", { class: "note", id: "approval" }, `Nothing has changed. A person approves this plan before anything runs: ask the assistant to run finops_execute_plan for ${p.plan_id} (the client asks you to approve), or run \`finops approve ${p.plan_id}\` in a terminal.`),
  ];
}

