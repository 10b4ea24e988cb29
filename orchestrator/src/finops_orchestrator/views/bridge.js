// The view's side of MCP Apps (io.modelcontextprotocol/ui, protocol 2026-01-26): JSON-RPC 2.0 over postMessage
// with the host. Written here rather than bundled: the official App class with its dependencies is ~540 KB, and a
// view needs six messages (the spec shows this hand-rolled form). The tests drive it from the official AppBridge.
"use strict";
const bridge = (() => {
  const PROTOCOL = "2026-01-26";
  const pending = new Map();
  const listeners = {};
  let nextId = 1;
  let hostCapabilities = {};
  let toolInput = {};

  const post = (message) => window.parent.postMessage({ jsonrpc: "2.0", ...message }, "*");
  const on = (method, handler) => (listeners[method] ||= []).push(handler);

  function request(method, params) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      post({ id, method, params });
    });
  }

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return; // only the host speaks to a view
    const message = event.data;
    if (!message || message.jsonrpc !== "2.0") return;
    if (message.method === undefined) {
      const waiting = pending.get(message.id);
      if (!waiting) return;
      pending.delete(message.id);
      if (message.error) waiting.reject(new Error(message.error.message || "The host refused the request."));
      else waiting.resolve(message.result);
      return;
    }
    if (message.id !== undefined) {
      // ui/resource-teardown or ping: a view holds nothing to save, so it agrees at once.
      post({ id: message.id, result: {} });
      return;
    }
    for (const handler of listeners[message.method] || []) handler(message.params || {});
  });

  // The host's theme: its style variables override the defaults in view.css, and the color scheme picks the light
  // or dark side of every light-dark() value, the host's own included.
  function applyContext(context) {
    const root = document.documentElement;
    if (context.theme === "light" || context.theme === "dark") {
      root.dataset.theme = context.theme;
      root.style.colorScheme = context.theme;
    }
    const variables = (context.styles && context.styles.variables) || {};
    for (const [name, value] of Object.entries(variables)) {
      if (name.startsWith("--") && typeof value === "string") root.style.setProperty(name, value);
    }
  }

  // Connects to the host and calls onResult(callToolResult) for each tool result it sends.
  async function connect(onResult) {
    on("ui/notifications/host-context-changed", applyContext);
    on("ui/notifications/tool-input", (params) => (toolInput = params.arguments || {}));
    on("ui/notifications/tool-result", onResult);
    on("ui/notifications/tool-cancelled", (params) =>
      onResult({ isError: true, content: [{ type: "text", text: `The tool call was cancelled${params.reason ? `: ${params.reason}` : "."}` }] }),
    );
    const init = await request("ui/initialize", {
      appInfo: { name: "finops-mcp view", version: "1" },
      appCapabilities: { availableDisplayModes: ["inline"] },
      protocolVersion: PROTOCOL,
    });
    hostCapabilities = init.hostCapabilities || {};
    applyContext(init.hostContext || {});
    post({ method: "ui/notifications/initialized", params: {} });
    let last = "";
    new ResizeObserver(() => {
      const size = { width: Math.ceil(document.documentElement.scrollWidth), height: Math.ceil(document.documentElement.scrollHeight) };
      const key = `${size.width}x${size.height}`;
      if (key !== last) post({ method: "ui/notifications/size-changed", params: size });
      last = key;
    }).observe(document.body);
  }

  return {
    connect,
    canCallTools: () => Boolean(hostCapabilities.serverTools),
    toolInput: () => toolInput, // the arguments the tool was called with, as the host sent them
    callTool: (name, args) => request("tools/call", { name, arguments: args }),
    // Tells the model (from its next turn) what the person did in the view, where the host takes such updates.
    tellModel: (text) =>
      hostCapabilities.updateModelContext ? request("ui/update-model-context", { content: [{ type: "text", text }] }) : Promise.resolve(),
  };
})();
