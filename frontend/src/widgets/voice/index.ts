import type { FamilyModule } from "../types";

export const voice: FamilyModule = {
  families: ["Voice"],
  color: "#7c3aed",
  defaultIcon: "☎",
  icons: {
    "say-play": "🔊",
    "gather-input-on-call": "⌨",
    "connect-call-to": "📞",
    "make-outgoing-call-v2": "📲",
    "record-voicemail": "📼",
    "record-call": "⏺",
    "enqueue-call": "⏳",
    "capture-payments": "💳",
    "fork-stream": "⑃",
    "connect-virtual-agent-v2": "🤖",
    "run-conversation-relay": "🔁",
  },
};
