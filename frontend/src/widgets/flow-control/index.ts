import type { FamilyModule } from "../types";
import { SplitConditions } from "./SplitConditions";
import { TriggerSettings } from "./TriggerSettings";

export const flowControl: FamilyModule = {
  families: ["Flow Control"],
  color: "#dc2626",
  defaultIcon: "◆",
  icons: { trigger: "⚡", "split-based-on": "◇", "set-variables": "x=" },
  sections: { "split-based-on": SplitConditions, trigger: TriggerSettings },
};
