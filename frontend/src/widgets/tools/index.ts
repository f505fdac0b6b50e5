import type { FamilyModule } from "../types";

export const tools: FamilyModule = {
  families: ["Tools & Execute Code"],
  color: "#ca8a04",
  defaultIcon: "🛠",
  icons: {
    "make-http-request": "🌐",
    "run-function": "ƒ",
    "add-twiml-redirect": "↪",
    "run-subflow": "⧉",
  },
};
