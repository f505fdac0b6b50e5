import type { FamilyModule } from "../types";

export const voice: FamilyModule = {
  families: ["Voice"],
  color: "#7c3aed",
  defaultIcon: "V",
  icons: {
    "say-play": "SP",
    "gather-input-on-call": "GI",
    "connect-call-to": "CC",
    "make-outgoing-call-v2": "OC",
    "record-voicemail": "RV",
    "record-call": "RC",
    "enqueue-call": "EQ",
    "capture-payments": "$",
    "fork-stream": "FS",
    "connect-virtual-agent-v2": "VA",
    "run-conversation-relay": "CR",
  },
};
