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
  /** Ends in Send to Flex: the account's Assign to Anyone workflow is filled in on creation. */
  flex?: boolean;
}

/** The account's Flex defaults (GET /api/console/flex/defaults). */
export interface FlexDefaults {
  workflow_sid: string | null;
  channels: Record<string, string>;
}

const VOICE_ATTRIBUTES = '{"type": "inbound", "name": "{{trigger.call.From}}"}';
const MESSAGE_ATTRIBUTES =
  '{"name": "{{trigger.message.From}}", "channelType": "{{trigger.message.ChannelAttributes.channel_type}}", ' +
  '"channelSid": "{{trigger.message.ChannelSid}}", "from": "{{trigger.message.From}}", ' +
  '"to": "{{trigger.message.To}}", "body": "{{trigger.message.Body}}"}';

/** One of Flex's default flows (as Flex seeds them): the trigger hands the contact to Send to
 * Flex on the workflow still to be chosen (filled by `withFlexDefaults`). */
function flexFlow(description: string, event: string, widget: string, channel: string, attributes: string): FlowDefinition {
  return {
    description,
    states: [
      trigger({ [event]: widget }),
      {
        name: widget,
        type: "send-to-flex",
        transitions: [{ event: "callComplete" }, { event: "failedToEnqueue" }, { event: "callFailure" }],
        properties: { offset: { x: 20, y: 200 }, workflow: "", channel, attributes },
      },
    ],
    initial_state: "Trigger",
    flags: { allow_concurrent_calls: true },
  };
}

/** A template's Send to Flex widgets get the account's Assign to Anyone workflow where none is
 * set, and their channel's SID for its unique name. */
export function withFlexDefaults(def: FlowDefinition, defaults: FlexDefaults): FlowDefinition {
  return {
    ...def,
    states: def.states.map((s) => {
      if (s.type !== "send-to-flex") return s;
      const props = { ...s.properties };
      if (!props.workflow && defaults.workflow_sid) props.workflow = defaults.workflow_sid;
      const channel = defaults.channels[String(props.channel ?? "")];
      if (channel) props.channel = channel;
      return { ...s, properties: props };
    }),
  };
}

export const TEMPLATES: Template[] = [
  { id: "blank", label: "Blank (Trigger only)", definition: blankDefinition },
  {
    id: "voice-ivr",
    label: "Voice IVR (Flex)",
    flex: true,
    definition: () => flexFlow("Voice IVR", "incomingCall", "SendCallToAgent", "voice", VOICE_ATTRIBUTES),
  },
  {
    id: "messaging-flow",
    label: "Messaging Flow (Flex)",
    flex: true,
    definition: () => flexFlow("Messaging Flow", "incomingMessage", "SendMessageToAgent", "sms", MESSAGE_ATTRIBUTES),
  },
  {
    id: "webchat-flow",
    label: "WebChat Flow (Flex)",
    flex: true,
    definition: () => flexFlow("WebChat Flow", "incomingMessage", "SendMessageToAgent", "chat", MESSAGE_ATTRIBUTES),
  },
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
