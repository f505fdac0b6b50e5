// The console JSON API (studio/CONSOLE_API.md): session cookie + X-CSRFToken.
import type {
  CatalogueEntry, FlowDefinition, FlowDetail, FlowDiff, FlowSummary, Problem, RevisionDetail, RevisionSummary,
} from "../types";

export class ApiError extends Error {
  constructor(
    public status: number,
    public body: { code?: number; message?: string; details?: Record<string, unknown> } | null,
  ) {
    super(body?.message ?? `HTTP ${status}`);
  }
}

function csrfToken(): string {
  const m = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]) : "";
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  const res = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { message: text.slice(0, 200) };
  }
  // A lapsed session (DRF: 401, or 403 "credentials were not provided"): log in again.
  const msg = String((data as { message?: unknown; detail?: unknown } | null)?.message ?? (data as { detail?: unknown } | null)?.detail ?? "");
  if (res.status === 401 || (res.status === 403 && /credentials/i.test(msg))) {
    window.location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
  }
  if (!res.ok) throw new ApiError(res.status, data as ApiError["body"]);
  return data as T;
}

const base = "/api/console";

export const api = {
  widgets: () => call<{ widgets: CatalogueEntry[] }>("GET", `${base}/widgets`).then((r) => r.widgets),
  flows: (search = "") =>
    call<{ flows: FlowSummary[] }>("GET", `${base}/flows${search ? `?search=${encodeURIComponent(search)}` : ""}`).then(
      (r) => r.flows,
    ),
  createFlow: (friendly_name: string, definition?: FlowDefinition, commit_message?: string) =>
    call<FlowDetail>("POST", `${base}/flows`, { friendly_name, definition, commit_message }),
  flow: (sid: string) => call<FlowDetail>("GET", `${base}/flows/${sid}`),
  deleteFlow: (sid: string) => call<void>("DELETE", `${base}/flows/${sid}`),
  duplicate: (sid: string, friendly_name?: string) =>
    call<FlowDetail>("POST", `${base}/flows/${sid}/duplicate`, friendly_name ? { friendly_name } : {}),
  saveRevision: (
    sid: string,
    definition: FlowDefinition,
    expected_revision: number,
    status: "draft" | "published",
    commit_message?: string,
  ) => call<FlowDetail>("POST", `${base}/flows/${sid}/revisions`, { definition, expected_revision, status, commit_message }),
  publish: (sid: string, expected_revision: number) =>
    call<FlowDetail>("POST", `${base}/flows/${sid}/publish`, { expected_revision }),
  revisions: (sid: string) =>
    call<{ revisions: RevisionSummary[] }>("GET", `${base}/flows/${sid}/revisions`).then((r) => r.revisions),
  revision: (sid: string, n: number) => call<RevisionDetail>("GET", `${base}/flows/${sid}/revisions/${n}`),
  restore: (sid: string, revision: number, expected_revision: number) =>
    call<FlowDetail>("POST", `${base}/flows/${sid}/restore`, { revision, expected_revision }),
  diff: (sid: string, from: number, to: number) =>
    call<FlowDiff>("GET", `${base}/flows/${sid}/diff?from=${from}&to=${to}`),
  validate: (definition: FlowDefinition) =>
    call<{ valid: boolean; errors: Problem[]; warnings: Problem[] }>("POST", `${base}/validate`, { definition }),
  me: () => call<{ username: string; account_sid: string; account_name: string; role: string }>("GET", `${base}/me`),
};
