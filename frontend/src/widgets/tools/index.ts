import type { FamilyModule } from "../types";
import { FunctionPicker } from "./FunctionPicker";

export const tools: FamilyModule = {
  families: ["Tools & Execute Code"],
  color: "#ca8a04",
  defaultIcon: "T",
  icons: {
    "make-http-request": "HT",
    "run-function": "ƒ",
    "add-twiml-redirect": "↪",
    "run-subflow": "SF",
  },
  sections: { "run-function": FunctionPicker },
};
