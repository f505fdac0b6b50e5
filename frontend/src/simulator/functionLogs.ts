// Which Functions environments a flow's Run Function widgets call, so the simulator can follow
// their logs (`ws/functions/{ZE}/logs`, serverless/live.py) while the flow runs. Resolved from the
// canvas's catalog (inspector/functionCatalog.ts): a widget whose function was picked names its
// function (and environment); a URL-only widget is matched against the URLs the catalog lists.
import type { CatalogEnvironment, CatalogService } from "../inspector/functionCatalog";
import { wsUrl } from "../lib/liveSocket";
import type { FlowDefinition } from "../types";

export interface FollowedEnvironment {
  sid: string;
  /** "service · environment", as the pickers label it. */
  label: string;
  /** Function SID → path, for lines whose frame carries no path. */
  paths: Record<string, string>;
}

export interface Followed {
  environments: FollowedEnvironment[];
  /** Run Function widgets whose function is not one deployed here (an outside URL, a Liquid URL…). */
  unresolved: string[];
  /** How many Run Function widgets the flow has (none: the pane has nothing to follow). */
  widgets: number;
}

/** One line of a function's console output, as the socket sends it (the Log resource + path). */
export interface LogLine {
  sid: string;
  environment_sid: string;
  function_sid: string | null;
  function_path?: string | null;
  level: string;
  message: string;
  date_created: string;
}

const text = (v: unknown): string => (typeof v === "string" ? v.trim() : "");

/** host + path of a URL (no query, no trailing slash), or null when it is no absolute URL. */
function place(url: string): { host: string; path: string } | null {
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") return null;
    return { host: u.host.toLowerCase(), path: u.pathname.replace(/\/+$/, "") || "/" };
  } catch {
    return null;
  }
}

/** Whether a widget's URL is the catalog's URL of a function. Under the path gateway
 * (`/fn/{label}/{path}`) the host is not compared: the same server answers whichever name
 * (localhost, 127.0.0.1, its public name) the URL was written with. */
export function sameFunctionUrl(widgetUrl: string, catalogUrl: string): boolean {
  const a = place(widgetUrl);
  const b = place(catalogUrl);
  if (!a || !b || a.path !== b.path) return false;
  return a.host === b.host || a.path.startsWith("/fn/");
}

function pathsOf(env: CatalogEnvironment): Record<string, string> {
  return Object.fromEntries(env.functions.map((f) => [f.sid, f.path]));
}

/** The environments a flow's Run Function widgets call, as the engine would pick them:
 * the widget's environment; else (a function picked without one) every environment whose live
 * build serves the function; else the environment serving the widget's URL. */
export function followedEnvironments(def: FlowDefinition | null, services: CatalogService[]): Followed {
  const found = new Map<string, FollowedEnvironment>();
  const unresolved: string[] = [];
  let widgets = 0;
  const follow = (service: CatalogService, env: CatalogEnvironment) => {
    if (!found.has(env.sid)) found.set(env.sid, { sid: env.sid, label: `${service.unique_name} · ${env.unique_name}`, paths: pathsOf(env) });
  };
  const serving = (test: (env: CatalogEnvironment) => boolean) =>
    services.flatMap((service) => service.environments.filter(test).map((env) => [service, env] as const));
  for (const state of def?.states ?? []) {
    if (state.type !== "run-function") continue;
    widgets += 1;
    const functionSid = text(state.properties.function_sid);
    const environmentSid = text(state.properties.environment_sid);
    const url = text(state.properties.url);
    let envs = functionSid
      ? serving((env) => (!environmentSid || env.sid === environmentSid) && env.functions.some((f) => f.sid === functionSid))
      : [];
    // Nothing picked, or the picked function is not live where the widget says: the engine then
    // calls the URL over HTTP, and the pane follows whichever environment serves that URL.
    if (!envs.length && url) envs = serving((env) => env.functions.some((f) => sameFunctionUrl(url, f.url)));
    for (const [service, env] of envs) follow(service, env);
    if (!envs.length) unresolved.push(state.name);
  }
  return { environments: [...found.values()], unresolved, widgets };
}

export function logSocketUrl(environmentSid: string, loc: Pick<Location, "protocol" | "host"> = window.location): string {
  return wsUrl(`/ws/functions/${environmentSid}/logs`, loc);
}

/** hh:mm:ss of a line's timestamp, in the viewer's time zone (the raw value when unparseable). */
export function clock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
