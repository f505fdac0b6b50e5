import { ServicePage } from "./functions/ServicePage";
import { ServicesPage } from "./functions/ServicesPage";
import { EditorPage } from "./pages/EditorPage";
import { FlowsList } from "./pages/FlowsList";

/** Pages chosen by `location.pathname` (Django serves index.html for each). */
export function App() {
  const path = window.location.pathname;
  const m = /^\/flows\/(FW[0-9a-fA-F]{32})\/?$/.exec(path);
  if (m) return <EditorPage sid={m[1]} />;
  const fn = /^\/functions\/(ZS[0-9a-fA-F]{32})\/?$/.exec(path);
  if (fn) return <ServicePage sid={fn[1]} />;
  if (/^\/functions\/?$/.test(path)) return <ServicesPage />;
  return <FlowsList />;
}
