// Run Function's pickers, as Studio offers them: choose a service, then one of its environments,
// then a function that environment serves; the widget gets service_sid, environment_sid,
// function_sid and the function's URL in one edit (one undo step).
import { useActions } from "../../store/flowStore";
import {
  chooseFunction, defaultEnvironment, findService, useFunctionCatalog,
} from "../../inspector/functionCatalog";
import type { CustomSectionProps } from "../types";

export function FunctionPicker({ state }: CustomSectionProps) {
  const actions = useActions();
  const { services, refresh } = useFunctionCatalog();
  const props = state.properties;
  const service = services ? findService(services, props.service_sid) : undefined;
  const env = service ? defaultEnvironment(service, props.environment_sid) : undefined;

  const apply = (fields: Record<string, string | undefined>) =>
    actions.updateState(state.name, (s) => {
      const next = { ...s.properties };
      for (const [k, v] of Object.entries(fields)) {
        if (v === undefined) delete next[k];
        else next[k] = v;
      }
      return { ...s, properties: next };
    });

  if (services === null) return <div className="field muted" data-testid="function-picker">Loading Functions…</div>;
  if (services.length === 0) {
    return (
      <div className="field muted" data-testid="function-picker">
        No Functions services in this account yet (<a href="/functions">create one</a>).
      </div>
    );
  }
  return (
    <fieldset className="field" data-testid="function-picker">
      <legend>Pick a deployed Function</legend>
      <label className="field">
        <span>Service</span>
        <select
          data-testid="pick-service"
          value={service?.sid ?? ""}
          onChange={(e) => {
            const picked = findService(services, e.target.value);
            const first = picked ? defaultEnvironment(picked, undefined) : undefined;
            apply({ service_sid: picked?.sid, environment_sid: first?.sid, function_sid: undefined });
          }}
        >
          <option value="">(choose a service)</option>
          {services.map((s) => (
            <option key={s.sid} value={s.sid}>
              {s.friendly_name || s.unique_name}
            </option>
          ))}
        </select>
      </label>
      {service && (
        <label className="field">
          <span>Environment</span>
          <select
            data-testid="pick-environment"
            value={env?.sid ?? ""}
            onChange={(e) => apply({ environment_sid: e.target.value || undefined, function_sid: undefined })}
          >
            {service.environments.map((e) => (
              <option key={e.sid} value={e.sid}>
                {e.unique_name} ({e.domain_name})
              </option>
            ))}
          </select>
        </label>
      )}
      {service && env && (
        <label className="field">
          <span>Function</span>
          <select
            data-testid="pick-function"
            value={env.functions.some((f) => f.sid === props.function_sid) ? String(props.function_sid) : ""}
            onChange={(e) => {
              const choice = chooseFunction(services, service.sid, env.sid, e.target.value);
              if (choice) apply({ ...choice });
            }}
          >
            <option value="">{env.functions.length ? "(choose a function)" : "(nothing deployed here)"}</option>
            {env.functions.map((f) => (
              <option key={f.sid} value={f.sid}>
                {f.path} {f.visibility === "protected" ? "(protected)" : ""}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="button" className="link" data-testid="refresh-functions" onClick={refresh}>
        Refresh list
      </button>
    </fieldset>
  );
}
