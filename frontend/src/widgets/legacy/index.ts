import type { FamilyModule } from "../types";

export const legacy: FamilyModule = {
  families: ["Legacy"],
  color: "#6b7280",
  defaultIcon: "L",
  icons: {},
};
