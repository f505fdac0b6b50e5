// The Conversation tab's console endpoints (webchat/simulator.py) and the visitor socket's frames
// (webchat/consumers.py). Kept apart from api/client.ts so the tab stays self-contained.
import { call } from "../api/client";
import { wsUrl } from "../lib/liveSocket";

export interface WebChatStart {
  conversation_sid: string;
  identity: string;
  token: string;
  socket_path: string;
  state: string;
  revision: number | null;
  test_user_added: boolean;
}

/** A conversation message as the socket pushes it (conversations.serializers.message_json). */
export interface ConvMessage {
  sid: string;
  index: number;
  author: string;
  body: string;
  attributes?: string;
  media?: { url?: string | null }[] | null;
  date_created?: string | null;
}

export type ServerFrame =
  | { type: "history"; state: string; messages: ConvMessage[] }
  | { type: "message"; message: ConvMessage }
  | { type: "state"; state: string }
  | { type: "typing"; identity: string }
  | { type: "ack"; client_id: string; index: number }
  | { type: "error"; code: number; message: string; client_id?: string };

const base = "/api/console/flows";

export const conversationSimApi = {
  start: (flowSid: string, friendly_name: string) =>
    call<WebChatStart>("POST", `${base}/${flowSid}/simulate/webchat`, { friendly_name }),
  close: (flowSid: string, conversationSid: string) =>
    call<{ conversation_sid: string; state: string }>(
      "POST", `${base}/${flowSid}/simulate/webchat/${conversationSid}/close`, {},
    ),
};

export function socketUrl(
  chat: Pick<WebChatStart, "socket_path" | "token">,
  since: number,
  loc: Pick<Location, "protocol" | "host"> = window.location,
): string {
  return wsUrl(`${chat.socket_path}?token=${encodeURIComponent(chat.token)}&since=${since}`, loc);
}

/** Messages by index, each once: a reconnect's history and live pushes may overlap or overtake. */
export function mergeMessages(list: ConvMessage[], incoming: ConvMessage[]): ConvMessage[] {
  const byIndex = new Map(list.map((m) => [m.index, m]));
  for (const m of incoming) if (m && typeof m.index === "number") byIndex.set(m.index, m);
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}
