import type { CatalogueEntry, FlowDefinition } from "../types";

const STATIC_PATHS = [
  "flow.flow_sid",
  "flow.sid",
  "flow.channel.address",
  "flow.data.",
  "flow.variables.",
  "contact.channel.address",
  "trigger.message.Body",
  "trigger.message.From",
  "trigger.message.To",
  "trigger.message.MessageSid",
  "trigger.message.NumMedia",
  "trigger.message.MediaUrl0",
  "trigger.call.From",
  "trigger.call.To",
  "trigger.call.CallSid",
  "trigger.call.CallStatus",
  "trigger.conversation.Body",
  "trigger.conversation.ConversationSid",
  "trigger.conversation.From",
  "trigger.request.from",
  "trigger.request.to",
  "trigger.request.parameters.",
  "trigger.parent.parameters.",
];

/** Completion candidates for Liquid fields: `widgets.*` from this flow's widgets and their
 * catalogue outputs, `flow.variables.*` from Set Variables keys, and `flow.*`/`trigger.*`. */
export function liquidPaths(def: FlowDefinition, catalogue: Record<string, CatalogueEntry>): string[] {
  const out = new Set<string>(STATIC_PATHS);
  for (const s of def.states) {
    if (s.type === "trigger") continue;
    const entry = catalogue[s.type];
    const outputs = entry?.outputs ?? [];
    if (outputs.length === 0) out.add(`widgets.${s.name}`);
    for (const o of outputs) out.add(`widgets.${s.name}.${o}`);
    if (s.type === "set-variables" && Array.isArray(s.properties.variables)) {
      for (const v of s.properties.variables as { key?: string }[]) if (v?.key) out.add(`flow.variables.${v.key}`);
    }
  }
  return [...out];
}

/** The partial path being typed just before `caret` inside `{{ ... `, if any. */
export function completionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /\{\{-?\s*([A-Za-z0-9_.\-[\]"']*)$/.exec(before) ?? /\{%-?[^%]*?\s([A-Za-z0-9_.\-]*)$/.exec(before);
  if (!m) return null;
  return { start: caret - m[1].length, query: m[1] };
}
