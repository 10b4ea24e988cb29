// A test host for the finops views, built on the official MCP Apps host side (@modelcontextprotocol/ext-apps'
// AppBridge): it shows one view in a sandboxed frame (scripts only, an opaque origin, the spec's default CSP: no
// network), hands it a tool's arguments and result, forwards its tools/call requests to the test (which calls the
// real server), and switches the theme. Bundled with esbuild by the test.
import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";

const CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; media-src data:; " +
  "connect-src 'none'; frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'";

const THEMES = {
  light: { "--color-background-primary": "#fbfaf8", "--color-text-primary": "#141413" },
  dark: { "--color-background-primary": "#262624", "--color-text-primary": "#faf9f5" },
};

let bridge = null;
let context = null;
window.finopsHost = {
  calls: [],
  contexts: [],
  // Shows `html` as the view of a call of `tool` with `args` that answered `result`; `proxiesTools` false: a host
  // that does not pass the view's tool calls on to the server.
  async show(html, tool, args, result, theme, proxiesTools = true) {
    if (bridge) await bridge.close();
    const frame = document.createElement("iframe");
    frame.setAttribute("sandbox", "allow-scripts");
    frame.style.cssText = "width: 860px; height: 200px; border: 0; display: block";
    document.getElementById("stage").replaceChildren(frame);
    context = {
      theme,
      styles: { variables: THEMES[theme] },
      displayMode: "inline",
      availableDisplayModes: ["inline"],
      platform: "web",
      containerDimensions: { width: 860, maxHeight: 4000 },
      toolInfo: { tool: { name: tool, inputSchema: { type: "object" } } },
    };
    bridge = new AppBridge(null, { name: "finops-test-host", version: "1.0.0" }, { ...(proxiesTools ? { serverTools: {} } : {}), logging: {}, updateModelContext: { text: {} } }, { hostContext: context });
    bridge.oncalltool = async (params) => {
      window.finopsHost.calls.push(params);
      return await window.finopsCallTool(params.name, params.arguments || {});
    };
    bridge.onupdatemodelcontext = async (params) => {
      window.finopsHost.contexts.push(params);
      return {};
    };
    bridge.onsizechange = ({ height }) => {
      if (height) frame.style.height = `${height}px`;
    };
    const initialized = new Promise((resolve) => (bridge.oninitialized = resolve));
    await bridge.connect(new PostMessageTransport(frame.contentWindow, frame.contentWindow));
    const head = `<meta http-equiv="Content-Security-Policy" content="${CSP}">`;
    frame.srcdoc = html.replace("<head>", `<head>${head}`);
    await initialized;
    await bridge.sendToolInput({ arguments: args });
    await bridge.sendToolResult(result);
  },
  async setTheme(theme) {
    context = { ...context, theme, styles: { variables: THEMES[theme] } };
    bridge.setHostContext(context);
  },
};
