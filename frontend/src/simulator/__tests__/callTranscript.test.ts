// A call held for a Flex agent reads as a story in the simulator's transcript: the enqueue, the
// hold music (the account's asset or Twilio's default), the wait, the agent, the queue's result.
import { describe, expect, it } from "vitest";
import { describe as line } from "../CallTab";

describe("held-call transcript lines", () => {
  it("names each step of the wait", () => {
    expect(line({ type: "enqueue", workflowSid: "WW1", queue: null })).toBe("Enqueue (TaskRouter workflow WW1)");
    expect(line({ type: "enqueue", queue: "support" })).toBe("Enqueue in support");
    expect(line({ type: "hold-music", source: "default" })).toBe("Hold music (Twilio's default)");
    expect(line({ type: "hold-music", source: "asset", url: "https://x/fn/ivr-1/hold-music.mp3" })).toBe(
      "Hold music: https://x/fn/ivr-1/hold-music.mp3",
    );
    expect(line({ type: "queued", workflowSid: "WW1" })).toBe("On hold, waiting for an agent");
    expect(line({ type: "connected", agent: "Alice" })).toBe("Connected to Alice");
    expect(line({ type: "dequeue", result: "bridged", queueTime: 12 })).toBe("Left the queue: bridged after 12 s");
  });
});
