// The console's account settings and executions explorer (accounts/console_api.py,
// studio/console_webhooks.py, executions/api/console_explorer.py).
import { call } from "./client";
import type { ExecutionPage, ListedExecution } from "./client";

const base = "/api/console";

export interface Me {
  username: string;
  account_sid: string;
  account_name: string;
  role: Role;
}

export type Role = "owner" | "editor" | "viewer";

export interface AccountChoice {
  account_sid: string;
  friendly_name: string;
  role: Role;
  current: boolean;
}

export interface Member {
  id: number;
  username: string;
  email: string;
  role: Role;
  date_created: string;
}

export interface ApiKeyRow {
  sid: string;
  friendly_name: string;
  date_created: string;
  secret?: string;
}

export interface TwilioSettings {
  twilio_account_sid: string;
  auth_token_set: boolean;
  provider: "twilio" | "default";
}

export interface FlowWebhooks {
  flow_sid: string;
  friendly_name: string;
  published: boolean;
  messaging: string;
  voice: string;
  status_callback: string;
  method: string;
}

export interface ExplorerRow extends ListedExecution {
  flow_sid: string;
  flow_name: string;
  revision: number;
  date_updated: string | null;
  date_ended: string | null;
  trigger_event: string;
  step_count: number;
}

export interface ExplorerPage extends Omit<ExecutionPage, "executions"> {
  executions: ExplorerRow[];
}

export interface TracedMessage {
  sid: string;
  direction: string;
  from: string;
  to: string;
  body: string;
  media_urls: string[];
  status: string;
  error_code: number | null;
  widget: string | null;
  date_created: string | null;
}

export interface TracedCall {
  sid: string;
  direction: string;
  from: string;
  to: string;
  status: string;
  twiml: string;
  transcript: { events?: { type: string; [k: string]: unknown }[]; ended?: string };
  widget: string | null;
  date_created: string | null;
}

export interface LogEntry {
  level: "info" | "warning" | "error";
  code: number | null;
  message: string;
  widget: string | null;
  date?: string | null;
}

export interface TracedStep {
  sid: string;
  name: string;
  from: string;
  to: string;
  widget_type: string;
  context: unknown;
  date_created: string | null;
  messages: TracedMessage[];
  calls: TracedCall[];
  log: LogEntry[];
  http: { status_code: unknown; content_type: unknown; body: unknown } | null;
}

export interface ExecutionTrace extends ExplorerRow {
  context: unknown;
  log: LogEntry[];
  messages: TracedMessage[];
  calls: TracedCall[];
  steps: TracedStep[];
  unplaced_log: LogEntry[];
}

export const consoleApi = {
  me: () => call<Me>("GET", `${base}/me`),
  accounts: () => call<{ accounts: AccountChoice[] }>("GET", `${base}/accounts`).then((r) => r.accounts),
  switchAccount: (account_sid: string) => call<{ account_sid: string }>("POST", `${base}/accounts/switch`, { account_sid }),
  members: () => call<{ members: Member[] }>("GET", `${base}/members`).then((r) => r.members),
  addMember: (user: string, role: Role) => call<Member>("POST", `${base}/members`, { user, role }),
  setRole: (id: number, role: Role) => call<Member>("PATCH", `${base}/members/${id}`, { role }),
  removeMember: (id: number) => call<void>("DELETE", `${base}/members/${id}`),
  keys: () => call<{ keys: ApiKeyRow[] }>("GET", `${base}/keys`).then((r) => r.keys),
  createKey: (friendly_name: string) => call<ApiKeyRow>("POST", `${base}/keys`, { friendly_name }),
  revokeKey: (sid: string) => call<void>("DELETE", `${base}/keys/${sid}`),
  twilio: () => call<TwilioSettings>("GET", `${base}/twilio`),
  saveTwilio: (twilio_account_sid: string, twilio_auth_token: string) =>
    call<TwilioSettings>("PUT", `${base}/twilio`, { twilio_account_sid, twilio_auth_token }),
  webhooks: () => call<{ base_url: string; flows: FlowWebhooks[] }>("GET", `${base}/webhooks`),
  executions: (query: URLSearchParams) => call<ExplorerPage>("GET", `${base}/executions?${query.toString()}`),
  endMany: (sids: string[]) => call<{ ended: string[]; not_found: string[] }>("POST", `${base}/executions/end`, { sids }),
  deleteMany: (sids: string[]) =>
    call<{ deleted: string[]; not_found: string[] }>("POST", `${base}/executions/delete`, { sids }),
  trace: (sid: string) => call<ExecutionTrace>("GET", `${base}/executions/${sid}/trace`),
  endOne: (sid: string) => call<unknown>("POST", `${base}/executions/${sid}/end`, {}),
  deleteOne: (sid: string) => call<void>("DELETE", `${base}/executions/${sid}`),
};
