import { EditorPage } from "./pages/EditorPage";
import { FlowsList } from "./pages/FlowsList";

/** Two pages, chosen by `location.pathname` (Django serves index.html for both). */
export function App() {
  const m = /^\/flows\/(FW[0-9a-fA-F]{32})\/?$/.exec(window.location.pathname);
  if (m) return <EditorPage sid={m[1]} />;
  return <FlowsList />;
}
