// The console's navigation: one list. A new page adds one entry here (and its route in App.tsx,
// its path in frontend/urls.py); `children` make a small menu under the entry.

export interface NavItem {
  id: string;
  label: string;
  href: string;
  /** Paths (prefixes) that belong to this entry, besides `href` itself. */
  prefixes?: string[];
  children?: NavItem[];
}

export const NAV: NavItem[] = [
  { id: "flows", label: "Flows", href: "/", prefixes: ["/flows/"] },
  { id: "executions", label: "Executions", href: "/executions", prefixes: ["/executions/"] },
  { id: "functions", label: "Functions", href: "/functions", prefixes: ["/functions/"] },
  {
    id: "agents",
    label: "Agents",
    href: "/flex/agent",
    children: [
      { id: "agent-console", label: "Agent console", href: "/flex/agent" },
      { id: "supervisor", label: "Supervisor", href: "/flex/supervisor" },
    ],
  },
  { id: "settings", label: "Settings", href: "/settings", prefixes: ["/settings/"] },
];

function owns(item: NavItem, path: string): boolean {
  const clean = path.replace(/\/+$/, "") || "/";
  if (clean === (item.href.replace(/\/+$/, "") || "/")) return true;
  if ((item.prefixes ?? []).some((p) => clean.startsWith(p))) return true;
  return (item.children ?? []).some((c) => owns(c, path));
}

/** The entry the page at `path` belongs to (null: none, e.g. the login page). */
export function activeNav(path: string, items: NavItem[] = NAV): string | null {
  return items.find((item) => owns(item, path))?.id ?? null;
}
