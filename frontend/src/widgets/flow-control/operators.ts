// Split Based On's operators are not listed here: the server's widget catalogue serves them
// (studio/widgets/split_based_on.py is their one source), so the editor offers exactly what
// the engine evaluates and the validator accepts.
import type { CatalogueEntry } from "../../types";

export interface SplitOperators {
  /** Every operator, in Studio's order (the `type` enum of the catalogue's condition schema). */
  all: readonly string[];
  /** Operators that test no value, with the text Console writes as their value. */
  valueless: Readonly<Record<string, string>>;
}

/** The operators of the catalogue's Split Based On entry (none before the catalogue loads). */
export function operatorsOf(entry: CatalogueEntry | undefined): SplitOperators {
  const schema = entry?.condition_schema;
  return {
    all: schema?.properties.find((p) => p.name === "type")?.enum ?? [],
    valueless: schema?.valueless_operators ?? {},
  };
}

export function isValueless(ops: SplitOperators, type: string): boolean {
  return Object.prototype.hasOwnProperty.call(ops.valueless, type);
}

/** Console-style friendly name: "If value <type> <value>" (blank tests: "Is Blank"). */
export function friendlyName(ops: SplitOperators, type: string, value: string): string {
  return isValueless(ops, type) ? ops.valueless[type] : `If value ${type} ${value}`;
}
