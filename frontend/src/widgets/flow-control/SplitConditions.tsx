import { useActions, useEditor } from "../../store/flowStore";
import { LiquidField } from "../../inspector/LiquidField";
import type { Condition, State, Transition } from "../../types";
import type { CustomSectionProps } from "../types";
import { OPERATORS, VALUELESS, friendlyName } from "./operators";

/** The conditions editor of Split Based On: one branch per `match` transition. */
export function SplitConditions({ state }: CustomSectionProps) {
  const actions = useActions();
  const catalogue = useEditor((s) => s.catalogue);
  const operators = catalogue["split-based-on"]?.condition_schema?.properties.find((p) => p.name === "type")?.enum ?? [
    ...OPERATORS,
  ];
  const input = String(state.properties.input ?? "");

  const update = (fn: (transitions: Transition[]) => Transition[], coalesceKey?: string) =>
    actions.updateState(state.name, (s: State) => ({ ...s, transitions: fn(s.transitions) }), coalesceKey);

  const setCondition = (index: number, ci: number, patch: Partial<Condition>) =>
    update(
      (ts) =>
      ts.map((t, i) => {
        if (i !== index) return t;
        const conditions = [...(t.conditions ?? [])];
        const c = { ...conditions[ci], ...patch };
        if (patch.type !== undefined || patch.value !== undefined) {
          c.friendly_name = friendlyName(c.type, c.value);
          if (VALUELESS.has(c.type)) c.value = c.type === "is_blank" ? "Is Blank" : "Is Not Blank";
        }
        conditions[ci] = c;
        return { ...t, conditions };
      }),
      `condition:${index}:${ci}:${Object.keys(patch).join()}`,
    );

  const addBranch = () =>
    update((ts) => {
      const branch: Transition = {
        event: "match",
        conditions: [{ friendly_name: friendlyName("equal_to", ""), arguments: [input], type: "equal_to", value: "" }],
      };
      // Keep noMatch first like Console exports; new branches go last.
      return [...ts, branch];
    });

  const removeBranch = (index: number) => update((ts) => ts.filter((_, i) => i !== index));

  const branches = state.transitions.map((t, i) => ({ t, i })).filter(({ t }) => t.event === "match");

  return (
    <fieldset className="conditions" data-testid="conditions-editor">
      <legend>Transitions (conditions)</legend>
      {branches.length === 0 && <p className="muted">No condition yet: everything goes to noMatch.</p>}
      {branches.map(({ t, i }, bi) => (
        <div className="branch" key={i} data-testid={`branch-${bi}`}>
          {(t.conditions ?? []).map((c, ci) => (
            <div className="condition" key={ci}>
              <label>
                Operator
                <select
                  data-testid={`condition-type-${bi}`}
                  value={c.type}
                  onChange={(e) => setCondition(i, ci, { type: e.target.value })}
                >
                  {operators.map((op) => (
                    <option key={op} value={op}>
                      {op}
                    </option>
                  ))}
                </select>
              </label>
              {!VALUELESS.has(c.type) && (
                <label>
                  Value
                  <LiquidField
                    id={`cond-${state.name}-${i}-${ci}`}
                    testId={`condition-value-${bi}`}
                    value={String(c.value ?? "")}
                    onChange={(v) => setCondition(i, ci, { value: v })}
                  />
                </label>
              )}
              <small className="muted">{c.friendly_name}</small>
            </div>
          ))}
          <button type="button" onClick={() => removeBranch(i)} aria-label={`Remove condition ${bi + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" data-testid="add-condition" onClick={addBranch}>
        + Add condition
      </button>
    </fieldset>
  );
}
