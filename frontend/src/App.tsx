import { ExecutionPage } from "./executions/ExecutionPage";
import { ExplorerPage } from "./executions/ExplorerPage";
import { ServicePage } from "./functions/ServicePage";
import { ServicesPage } from "./functions/ServicesPage";
import { EditorPage } from "./pages/EditorPage";
import { FlowsList } from "./pages/FlowsList";
import { SettingsPage } from "./settings/SettingsPage";
import { Shell } from "./shell/Shell";

/** Pages chosen by `location.pathname` (Django serves index.html for each), inside the shell. */
export function App() {
  return <Shell>{page(window.location.pathname)}</Shell>;
}

function page(path: string) {
  const m = /^\/flows\/(FW[0-9a-fA-F]{32})\/?$/.exec(path);
  if (m) return <EditorPage sid={m[1]} />;
  const fn = /^\/functions\/(ZS[0-9a-fA-F]{32})\/?$/.exec(path);
  if (fn) return <ServicePage sid={fn[1]} />;
  if (/^\/functions\/?$/.test(path)) return <ServicesPage />;
  const ex = /^\/executions\/(FN[0-9a-fA-F]{32})\/?$/.exec(path);
  if (ex) return <ExecutionPage sid={ex[1]} />;
  if (/^\/executions\/?$/.test(path)) return <ExplorerPage />;
  if (/^\/settings\/?$/.test(path)) return <SettingsPage />;
  return <FlowsList />;
}
