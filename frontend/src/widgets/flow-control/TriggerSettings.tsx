import { useActions, useEditor } from "../../store/flowStore";
import type { CustomSectionProps } from "../types";
import { TestUsers } from "./TestUsers";

/** Flow-level settings shown on the Trigger (they live in the definition's top level). */
export function TriggerSettings(_: CustomSectionProps) {
  const actions = useActions();
  const flow = useEditor((s) => s.flow);
  const description = useEditor((s) => s.def.description ?? "");
  const concurrent = useEditor((s) => s.def.flags?.allow_concurrent_calls ?? true);
  return (
    <fieldset className="conditions" data-testid="trigger-settings">
      <legend>Flow</legend>
      {flow?.webhook_url && (
        <div className="field">
          <span>Webhook URL</span>
          <input readOnly value={flow.webhook_url} data-testid="webhook-url" onFocus={(e) => e.currentTarget.select()} />
        </div>
      )}
      <label className="field">
        <span>Description</span>
        <input
          data-testid="flow-description"
          value={description}
          onChange={(e) => actions.apply((d) => ({ ...d, description: e.target.value }), "flow:description")}
        />
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="allow-concurrent-calls"
          checked={concurrent}
          onChange={(e) => actions.apply((d) => ({ ...d, flags: { ...d.flags, allow_concurrent_calls: e.target.checked } }))}
        />{" "}
        Allow concurrent calls
      </label>
      <TestUsers />
    </fieldset>
  );
}
