import type { FamilyModule } from "../types";

export const products: FamilyModule = {
  families: ["Connect Other Products"],
  color: "#db2777",
  defaultIcon: "P",
  icons: { "send-to-flex": "FX" },
};
