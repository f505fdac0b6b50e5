// The Serverless v1 API (serverless/), driven with the console session: the same calls the
// Serverless Toolkit makes, so a deploy from these pages is a deploy like `manage.py functions deploy`.
import { ApiError } from "../api/client";

export interface Service { sid: string; unique_name: string; friendly_name: string; domain_base: string; include_credentials: boolean }
export interface Environment { sid: string; unique_name: string; domain_suffix: string | null; domain_name: string; build_sid: string | null }
export interface Resource { sid: string; friendly_name: string }
export interface Version { sid: string; path: string; visibility: Visibility; date_created: string }
export interface Build { sid: string; status: "building" | "completed" | "failed"; dependencies: { name: string; version: string }[]; date_created: string }
export interface Variable { sid: string; key: string; value: string }
export interface LogEntry { sid: string; level: "info" | "warn" | "error"; message: string; date_created: string; function_sid: string | null }
export type Visibility = "public" | "protected" | "private";
export type Kind = "Functions" | "Assets";

function csrfToken(): string {
  const m = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]) : "";
}

async function send<T>(method: string, path: string, body?: URLSearchParams | FormData): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  const res = await fetch(`/v1${path}`, { method, headers, body, credentials: "same-origin" });
  if (res.status === 401) window.location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data as T;
}

function form(fields: Record<string, string | string[]>): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) out.append(k, one);
  return out;
}

const S = (sid: string) => `/Services/${sid}`;
const E = (service: string, env: string) => `${S(service)}/Environments/${env}`;

export const sl = {
  services: () => send<{ services: Service[] }>("GET", "/Services?PageSize=100").then((r) => r.services),
  createService: (unique_name: string) =>
    send<Service>("POST", "/Services", form({ UniqueName: unique_name, FriendlyName: unique_name })),
  service: (sid: string) => send<Service>("GET", S(sid)),
  deleteService: (sid: string) => send<void>("DELETE", S(sid)),
  environments: (sid: string) =>
    send<{ environments: Environment[] }>("GET", `${S(sid)}/Environments`).then((r) => r.environments),
  createEnvironment: (sid: string, unique_name: string, suffix: string | null) =>
    send<Environment>("POST", `${S(sid)}/Environments`, form(suffix ? { UniqueName: unique_name, DomainSuffix: suffix } : { UniqueName: unique_name })),
  list: (sid: string, kind: Kind) =>
    send<Record<string, Resource[]>>("GET", `${S(sid)}/${kind}?PageSize=1000`).then((r) => r[kind.toLowerCase()]),
  create: (sid: string, kind: Kind, path: string) => send<Resource>("POST", `${S(sid)}/${kind}`, form({ FriendlyName: path })),
  remove: (sid: string, kind: Kind, resource: string) => send<void>("DELETE", `${S(sid)}/${kind}/${resource}`),
  versions: (sid: string, kind: Kind, resource: string) =>
    send<Record<string, Version[]>>("GET", `${S(sid)}/${kind}/${resource}/Versions?PageSize=1000`).then(
      (r) => r[kind === "Functions" ? "function_versions" : "asset_versions"],
    ),
  content: (sid: string, fn: string, version: string) =>
    send<{ content: string }>("GET", `${S(sid)}/Functions/${fn}/Versions/${version}/Content`).then((r) => r.content),
  /** A new version, uploaded as the Toolkit uploads it (multipart: Path, Visibility, Content). */
  upload: (sid: string, kind: Kind, resource: string, path: string, visibility: Visibility, content: Blob, filename: string) => {
    const body = new FormData();
    body.append("Path", path);
    body.append("Visibility", visibility);
    body.append("Content", content, filename);
    return send<Version>("POST", `${S(sid)}/${kind}/${resource}/Versions`, body);
  },
  builds: (sid: string) => send<{ builds: Build[] }>("GET", `${S(sid)}/Builds?PageSize=5`).then((r) => r.builds),
  createBuild: (sid: string, functionVersions: string[], assetVersions: string[], dependencies: { name: string; version: string }[]) =>
    send<Build>(
      "POST",
      `${S(sid)}/Builds`,
      form({ FunctionVersions: functionVersions, AssetVersions: assetVersions, Dependencies: JSON.stringify(dependencies) }),
    ),
  buildStatus: (sid: string, build: string) => send<{ status: Build["status"] }>("GET", `${S(sid)}/Builds/${build}/Status`),
  deploy: (sid: string, env: string, build: string) => send<unknown>("POST", `${E(sid, env)}/Deployments`, form({ BuildSid: build })),
  variables: (sid: string, env: string) =>
    send<{ variables: Variable[] }>("GET", `${E(sid, env)}/Variables`).then((r) => r.variables),
  setVariable: (sid: string, env: string, key: string, value: string, existing?: string) =>
    existing
      ? send<Variable>("POST", `${E(sid, env)}/Variables/${existing}`, form({ Key: key, Value: value }))
      : send<Variable>("POST", `${E(sid, env)}/Variables`, form({ Key: key, Value: value })),
  deleteVariable: (sid: string, env: string, variable: string) => send<void>("DELETE", `${E(sid, env)}/Variables/${variable}`),
  logs: (sid: string, env: string) =>
    send<{ logs: LogEntry[] }>("GET", `${E(sid, env)}/Logs?PageSize=100`).then((r) => r.logs),
};
