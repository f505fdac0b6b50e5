import type { FamilyModule } from "../types";

export const messaging: FamilyModule = {
  families: ["Messaging"],
  color: "#0891b2",
  defaultIcon: "M",
  icons: { "send-message": "✉", "send-and-wait-for-reply": "⇄" },
};
