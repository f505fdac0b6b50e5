import type { FamilyModule } from "../types";

export const conversations: FamilyModule = {
  families: ["Conversations"],
  color: "#059669",
  defaultIcon: "C",
  icons: { "start-conversation": "SC", "resume-conversation": "RC" },
};
