// Spec §3.2: the 17 split operators, exactly as Studio spells them.
export const OPERATORS = [
  "equal_to",
  "not_equal_to",
  "matches_any_of",
  "does_not_match_any_of",
  "is_blank",
  "is_not_blank",
  "regex",
  "contains",
  "does_not_contain",
  "starts_with",
  "does_not_start_with",
  "less_than",
  "greater_than",
  "is_before_time",
  "is_after_time",
  "is_before_date",
  "is_after_date",
] as const;

export const VALUELESS = new Set(["is_blank", "is_not_blank"]);

/** Console-style friendly name: "If value <type> <value>" (blank tests: "Is Blank"). */
export function friendlyName(type: string, value: string): string {
  if (type === "is_blank") return "Is Blank";
  if (type === "is_not_blank") return "Is Not Blank";
  return `If value ${type} ${value}`;
}
