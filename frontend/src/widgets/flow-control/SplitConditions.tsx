import { useMemo } from "react";
import { LiquidField } from "../../inspector/LiquidField";
import { useActions, useEditor } from "../../store/flowStore";
import type { Condition, State } from "../../types";
import type { CustomSectionProps } from "../types";
import * as cond from "./conditions";
import { isValueless, operatorsOf } from "./operators";

/** The conditions editor of Split Based On: one branch per `match` transition, each with one or
 * more conditions that must all hold. Test ids: `condition-{type,value,name}-{branch}-{condition}`. */
export function SplitConditions({ state }: CustomSectionProps) {
  const actions = useActions();
  const entry = useEditor((s) => s.catalogue["split-based-on"]);
  const ops = useMemo(() => operatorsOf(entry), [entry]);

  const update = (fn: (s: State) => State, coalesceKey?: string) => actions.updateState(state.name, fn, coalesceKey);
  const setCondition = (i: number, ci: number, patch: Partial<Condition>) =>
    update((s) => cond.setCondition(s, i, ci, patch, ops), `condition:${i}:${ci}:${Object.keys(patch).join()}`);

  const branches = state.transitions.map((t, i) => ({ t, i })).filter(({ t }) => t.event === "match");

  return (
    <fieldset className="conditions" data-testid="conditions-editor">
      <legend>Transitions (conditions)</legend>
      {branches.length === 0 && <p className="muted">No condition yet: everything goes to noMatch.</p>}
      {branches.map(({ t, i }, bi) => (
        <div className="branch" key={i} data-testid={`branch-${bi}`}>
          <div className="row">
            <strong className="small">Branch {bi + 1}</strong>
            <span className="spacer" />
            <button type="button" aria-label={`Move branch ${bi + 1} up`} disabled={bi === 0} onClick={() => update((s) => cond.moveBranch(s, i, -1))}>
              ↑
            </button>
            <button
              type="button"
              aria-label={`Move branch ${bi + 1} down`}
              disabled={bi === branches.length - 1}
              onClick={() => update((s) => cond.moveBranch(s, i, 1))}
            >
              ↓
            </button>
            <button type="button" data-testid={`remove-branch-${bi}`} aria-label={`Remove branch ${bi + 1}`} onClick={() => update((s) => cond.removeBranch(s, i))}>
              Remove
            </button>
          </div>
          {(t.conditions ?? []).map((c, ci) => (
            <div className="condition" key={ci} data-testid={`condition-${bi}-${ci}`}>
              {ci > 0 && <div className="and">AND</div>}
              <label>
                Name
                <input
                  data-testid={`condition-name-${bi}-${ci}`}
                  value={c.friendly_name ?? ""}
                  onChange={(e) => setCondition(i, ci, { friendly_name: e.target.value })}
                />
              </label>
              <label>
                Operator
                <select data-testid={`condition-type-${bi}-${ci}`} value={c.type} onChange={(e) => setCondition(i, ci, { type: e.target.value })}>
                  {ops.all.map((op) => (
                    <option key={op} value={op}>
                      {op}
                    </option>
                  ))}
                </select>
              </label>
              {!isValueless(ops, c.type) && (
                <label>
                  Value
                  <LiquidField
                    id={`cond-${state.name}-${i}-${ci}`}
                    testId={`condition-value-${bi}-${ci}`}
                    value={String(c.value ?? "")}
                    onChange={(v) => setCondition(i, ci, { value: v })}
                  />
                </label>
              )}
              <button
                type="button"
                className="unset"
                data-testid={`remove-condition-${bi}-${ci}`}
                aria-label={`Remove condition ${ci + 1} of branch ${bi + 1}`}
                onClick={() => update((s) => cond.removeCondition(s, i, ci))}
              >
                remove condition
              </button>
            </div>
          ))}
          <button type="button" data-testid={`add-condition-to-${bi}`} onClick={() => update((s) => cond.addCondition(s, i, ops))}>
            + AND condition
          </button>
        </div>
      ))}
      <button type="button" data-testid="add-condition" onClick={() => update((s) => cond.addBranch(s, ops))}>
        + Add condition
      </button>
    </fieldset>
  );
}
