// The console JSON API (studio/CONSOLE_API.md): session cookie + X-CSRFToken.
import type {
  CatalogueEntry, FlowDefinition, FlowDetail, FlowDiff, FlowSummary, Problem, RevisionDetail, RevisionSummary,
} from "../types";
import type { ExecutionSummary, LiveStep } from "../live/liveStore";

export class ApiError extends Error {
  constructor(
    public status: number,
    public body: { code?: number; message?: string; details?: Record<string, unknown> } | null,
  ) {
    super(body?.message ?? `HTTP ${status}`);
  }
}

export function csrfToken(): string {
  const m = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]) : "";
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
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
  setTestUsers: (sid: string, test_users: string[]) => call<FlowDetail>("PATCH", `${base}/flows/${sid}`, { test_users }),
};

// -- simulator and live monitor (executions/console_sim.py, executions/simulator_calls.py) --

export interface SimMessage {
  direction: "inbound" | "outbound";
  sid: string;
  from: string;
  to: string;
  body: string;
  media_urls?: string[];
  status: string;
  error_code?: number | null;
  execution_sid: string | null;
  widget: string | null;
  date_created: string | null;
}

export interface Conversation {
  contact: string;
  channel: string | null;
  messages: SimMessage[];
  active_execution: ExecutionSummary | null;
}

export interface ExecutionDetail extends ExecutionSummary {
  flow_sid: string;
  context: unknown;
  log: unknown[];
  steps: LiveStep[];
  step_count: number;
}

export interface TranscriptEvent {
  type: string;
  [key: string]: unknown;
}

export interface CallResult {
  call_sid: string;
  execution_sid: string | null;
  status: string;
  transcript: { events: TranscriptEvent[]; ended: string };
}

export type CallInput = string | { digits: string } | { speech: string } | { silence: true } | { hangup: true };

export const simApi = {
  sendMessage: (sid: string, from: string, to: string, body: string) =>
    call<{ message_sid: string; execution_sid: string | null; status: string; conversation: Conversation }>(
      "POST", `${base}/flows/${sid}/simulate/message`, { from, to, body },
    ),
  reset: (sid: string, contact: string, channel: string) =>
    call<{ ended: string[]; since: string }>("POST", `${base}/flows/${sid}/simulate/reset`, { contact, channel }),
  conversation: (sid: string, contact: string, channel: string, since: string | null) => {
    const q = new URLSearchParams({ contact, channel });
    if (since) q.set("since", since);
    return call<Conversation>("GET", `${base}/flows/${sid}/simulate/conversation?${q.toString()}`);
  },
  restExecution: (sid: string, to: string, from: string, parameters: Record<string, unknown>) =>
    call<{ execution_sid: string; execution: { sid: string; status: string }; conversation: Conversation }>(
      "POST", `${base}/flows/${sid}/simulate/rest`, { to, from, parameters },
    ),
  placeCall: (sid: string, from: string, to: string, inputs: CallInput[]) =>
    call<CallResult>("POST", `${base}/flows/${sid}/simulate/call`, { from, to, script: { inputs } }),
  executions: (sid: string, status?: "active" | "ended") =>
    call<{ executions: ExecutionSummary[] }>("GET", `${base}/flows/${sid}/executions${status ? `?status=${status}` : ""}`).then(
      (r) => r.executions,
    ),
  execution: (sid: string) => call<ExecutionDetail>("GET", `${base}/executions/${sid}`),
  executionsPage: (sid: string, query: ExecutionQuery) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) q.set(k, String(v));
    return call<ExecutionPage>("GET", `${base}/flows/${sid}/executions?${q.toString()}`);
  },
  endExecution: (sid: string) => call<ExecutionSummary>("POST", `${base}/executions/${sid}/end`, {}),
  endExecutions: (flowSid: string, sids: string[]) =>
    call<{ ended: string[]; not_found: string[] }>("POST", `${base}/flows/${flowSid}/executions/end`, { sids }),
  deleteExecution: (sid: string) => call<void>("DELETE", `${base}/executions/${sid}`),
  analytics: (sid: string, since: string, until?: string) => {
    const q = new URLSearchParams({ since });
    if (until) q.set("until", until);
    return call<FlowAnalytics>("GET", `${base}/flows/${sid}/analytics?${q.toString()}`);
  },
};

export interface FlowAnalytics {
  flow_sid: string;
  since: string;
  until: string | null;
  transitions: { from: string; event: string; to: string; count: number }[];
  dropoffs: { widget: string; count: number }[];
  entries: { widget: string; count: number }[];
  step_count: number;
}

export interface ExecutionQuery {
  status?: "active" | "ended" | "";
  contact?: string;
  since?: string;
  until?: string;
  stuck?: boolean;
  stuck_after?: number;
  page_size?: number;
  page_token?: string | null;
}

export interface ListedExecution extends ExecutionSummary {
  stuck: boolean;
  stuck_reason: "idle" | "timer_overdue" | null;
}

export interface ExecutionPage {
  executions: ListedExecution[];
  next_page_token: string | null;
  page_size: number;
  stuck_after: number;
}
