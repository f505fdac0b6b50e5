// Small starter flows shipped in the bundle (the "from a template" choice of New flow).
import type { FlowDefinition } from "./types";
import { blankDefinition } from "./store/ops";

const trigger = (next: Partial<Record<string, string>>) => ({
  name: "Trigger",
  type: "trigger",
  transitions: ["incomingMessage", "incomingCall", "incomingConversationMessage", "incomingRequest", "incomingParent"].map(
    (event) => (next[event] ? { event, next: next[event] } : { event }),
  ),
  properties: { offset: { x: 0, y: 0 } },
});

export interface Template {
  id: string;
  label: string;
  definition: () => FlowDefinition;
}

export const TEMPLATES: Template[] = [
  { id: "blank", label: "Blank (Trigger only)", definition: blankDefinition },
  {
    id: "sms-auto-reply",
    label: "SMS auto-reply",
    definition: () => ({
      description: "Reply to every incoming message",
      states: [
        trigger({ incomingMessage: "reply" }),
        {
          name: "reply",
          type: "send-message",
          transitions: [{ event: "sent" }, { event: "failed" }],
          properties: { offset: { x: 0, y: 220 }, from: "{{flow.channel.address}}", to: "{{contact.channel.address}}", body: "Thanks, we got your message: {{trigger.message.Body}}" },
        },
      ],
      initial_state: "Trigger",
      flags: { allow_concurrent_calls: true },
    }),
  },
  {
    id: "sms-survey",
    label: "SMS yes/no question",
    definition: () => ({
      description: "Ask a question and branch on the answer",
      states: [
        trigger({ incomingMessage: "ask" }),
        {
          name: "ask",
          type: "send-and-wait-for-reply",
          transitions: [{ event: "incomingMessage", next: "check_answer" }, { event: "timeout" }, { event: "deliveryFailure" }],
          properties: { offset: { x: 0, y: 220 }, from: "{{flow.channel.address}}", body: "Did we solve your problem? Reply YES or NO.", timeout: "3600" },
        },
        {
          name: "check_answer",
          type: "split-based-on",
          transitions: [
            { event: "noMatch", next: "sorry" },
            {
              event: "match",
              next: "thanks",
              conditions: [{ friendly_name: "If value matches_any_of yes,y", arguments: ["{{widgets.ask.inbound.Body}}"], type: "matches_any_of", value: "yes,y" }],
            },
          ],
          properties: { offset: { x: 0, y: 460 }, input: "{{widgets.ask.inbound.Body}}" },
        },
        {
          name: "thanks",
          type: "send-message",
          transitions: [{ event: "sent" }, { event: "failed" }],
          properties: { offset: { x: 300, y: 700 }, from: "{{flow.channel.address}}", to: "{{contact.channel.address}}", body: "Great, thanks!" },
        },
        {
          name: "sorry",
          type: "send-message",
          transitions: [{ event: "sent" }, { event: "failed" }],
          properties: { offset: { x: -300, y: 700 }, from: "{{flow.channel.address}}", to: "{{contact.channel.address}}", body: "Sorry about that, an agent will contact you." },
        },
      ],
      initial_state: "Trigger",
      flags: { allow_concurrent_calls: true },
    }),
  },
];
