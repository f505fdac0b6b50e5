// The "new flow" templates include Flex's three default flows, each handing the contact to Send
// to Flex; on creation the account's Assign to Anyone workflow and channel SIDs are filled in.
import { describe, expect, it } from "vitest";
import { TEMPLATES, withFlexDefaults } from "../templates";

const flex = (id: string) => TEMPLATES.find((t) => t.id === id)!;

describe("Flex's default flows as templates", () => {
  it.each([
    ["voice-ivr", "Voice IVR", "incomingCall", "SendCallToAgent", "voice"],
    ["messaging-flow", "Messaging Flow", "incomingMessage", "SendMessageToAgent", "sms"],
    ["webchat-flow", "WebChat Flow", "incomingMessage", "SendMessageToAgent", "chat"],
  ])("%s: the trigger's %s ends in Send to Flex", (id, description, event, widget, channel) => {
    const t = flex(id);
    expect(t.flex).toBe(true);
    const def = t.definition();
    expect(def.description).toBe(description);
    const [trigger, send] = def.states;
    expect(trigger.transitions.find((x) => x.event === event)?.next).toBe(widget);
    expect(send).toMatchObject({ name: widget, type: "send-to-flex", properties: { workflow: "", channel } });
    expect(send.transitions.map((x) => x.event)).toEqual(["callComplete", "failedToEnqueue", "callFailure"]);
    expect(JSON.parse(String(send.properties.attributes))).toHaveProperty("name");
  });

  it("fills the default workflow and the channel's SID, and keeps a chosen workflow", () => {
    const defaults = { workflow_sid: "WW" + "a".repeat(32), channels: { voice: "TC" + "v".repeat(32) } };
    const filled = withFlexDefaults(flex("voice-ivr").definition(), defaults);
    expect(filled.states[1].properties).toMatchObject({ workflow: defaults.workflow_sid, channel: defaults.channels.voice });

    const chosen = flex("messaging-flow").definition();
    chosen.states[1].properties.workflow = "WWmine";
    const kept = withFlexDefaults(chosen, { workflow_sid: null, channels: {} });
    expect(kept.states[1].properties).toMatchObject({ workflow: "WWmine", channel: "sms" });
  });
});
