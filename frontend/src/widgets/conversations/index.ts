import type { FamilyModule } from "../types";

export const conversations: FamilyModule = {
  families: ["Conversations"],
  color: "#059669",
  defaultIcon: "🗨",
  icons: { "start-conversation": "🗨", "resume-conversation": "↩" },
};
