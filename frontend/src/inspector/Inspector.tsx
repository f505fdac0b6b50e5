import { memo, useCallback, useMemo, useState } from "react";
import { useActions, useEditor, type EditorState } from "../store/flowStore";
import type { PropSchema, State } from "../types";
import { CodeEditor } from "../components/code/CodeEditor";
import { setInput } from "../widgets/flow-control/conditions";
import { customSection } from "../widgets/registry";
import { AssetPicker } from "./AssetPicker";
import { takesAsset } from "./functionCatalog";
import { LiquidField } from "./LiquidField";

// Each part of the inspector subscribes to the slice it draws: typing in one field re-renders
// that field (and the form around it), not the other fields, and an edit elsewhere in the
// flow, a validation result or a canvas measurement re-renders none of it.

function selectedName(s: EditorState): string | null {
  if (s.selected.size !== 1) return null;
  return s.selected.values().next().value ?? null;
}

const NO_PROPS: PropSchema[] = [];

/** The inspector of the single selected widget, generated from the catalogue's schema. */
export const Inspector = memo(function Inspector() {
  const readOnly = useEditor((s) => s.diffDef !== null);
  const count = useEditor((s) => s.selected.size);
  const name = useEditor(selectedName);
  // The selected widget's own object: unchanged (same identity) when other widgets are edited.
  const state = useEditor((s) => (name === null ? undefined : s.def.states.find((st) => st.name === name)));
  if (readOnly) return <aside className="inspector muted">Viewing a revision diff (read-only).</aside>;
  if (name === null) {
    return (
      <aside className="inspector muted" data-testid="inspector">
        {count > 1 ? `${count} widgets selected.` : "Select a widget to edit it."}
      </aside>
    );
  }
  if (!state) return <aside className="inspector" />;
  return <WidgetInspector state={state} />;
});

const WidgetInspector = memo(function WidgetInspector({ state }: { state: State }) {
  const actions = useActions();
  const entry = useEditor((s) => s.catalogue[state.type]);
  const { name, type } = state;
  // Stable across edits of this widget, so the fields that did not change skip rendering.
  const setProp = useCallback(
    (key: string, value: unknown) => {
      if (type === "split-based-on" && key === "input") {
        // Console keeps every condition's `arguments` equal to the tested input.
        actions.updateState(name, (s) => setInput(s, value), "prop:input");
      } else {
        actions.setProperty(name, key, value);
      }
    },
    [actions, name, type],
  );

  const Custom = customSection(state.type);
  const schema = entry?.properties ?? NO_PROPS;
  const known = useMemo(() => new Set(schema.map((p) => p.name).concat("offset")), [schema]);
  const extra = Object.keys(state.properties).filter((k) => !known.has(k));
  const extraText = extra.length ? JSON.stringify(Object.fromEntries(extra.map((k) => [k, state.properties[k]])), null, 2) : "";

  return (
    <aside className="inspector" data-testid="inspector" aria-label={`Inspector of ${state.name}`}>
      <h2>
        {entry?.label ?? state.type} {entry?.legacy && <span className="badge">legacy</span>}
      </h2>
      <NameField name={state.name} />
      {entry?.description && <p className="muted">{entry.description}</p>}
      {schema.map((p) => (
        <PropertyField key={p.name} schema={p} idBase={`${state.name}-${p.name}`} value={state.properties[p.name]} onSet={setProp} />
      ))}
      {state.type !== "trigger" && <OtherProperties name={state.name} known={known} text={extraText} count={extra.length} />}
      {Custom && <Custom state={state} />}
      <button
        type="button"
        className="danger"
        data-testid="delete-widget-button"
        disabled={state.type === "trigger"}
        onClick={() => actions.deleteWidgets([state.name])}
      >
        Delete widget
      </button>
    </aside>
  );
});

/** The widget's name: typed as a draft, renamed (with every reference) on Enter or blur. */
const NameField = memo(function NameField({ name }: { name: string }) {
  const actions = useActions();
  const [draft, setDraft] = useState({ of: name, text: name, error: null as string | null });
  // Another widget selected, or this one renamed (undo, elsewhere): start over from its name.
  // Adjusted while rendering rather than in an effect, which would cost a second render.
  const current = draft.of === name ? draft : { of: name, text: name, error: null };
  if (current !== draft) setDraft(current);

  const commit = () => {
    if (current.text === name) return;
    const error = actions.rename(name, current.text.trim());
    setDraft({ ...current, error });
  };

  return (
    <label className="field">
      <span>Widget name</span>
      <input
        data-testid="widget-name-input"
        value={current.text}
        onChange={(e) => setDraft({ ...current, text: e.target.value })}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === "Enter") commit();
        }}
      />
      {current.error && <small className="error" role="alert">{current.error}</small>}
    </label>
  );
});

/** One described property: re-rendered only when its own value changes. */
const PropertyField = memo(function PropertyField({
  schema, idBase, value, onSet,
}: { schema: PropSchema; idBase: string; value: unknown; onSet(key: string, value: unknown): void }) {
  const onChange = useCallback((v: unknown) => onSet(schema.name, v), [onSet, schema.name]);
  return <Field schema={schema} idBase={idBase} value={value} onChange={onChange} />;
});

/** Properties the catalogue does not describe (e.g. from a newer Studio export): edited as a
 * JSON object, merged over the described ones. */
const OtherProperties = memo(function OtherProperties({
  name, known, text, count,
}: { name: string; known: Set<string>; text: string; count: number }) {
  const actions = useActions();
  return (
    <details className="field" open={count > 0} data-testid="other-properties">
      <summary>Other properties (JSON){count > 0 ? ` · ${count}` : ""}</summary>
      <CodeEditor
        testId="prop-other-properties"
        ariaLabel="Other properties (JSON object)"
        strict
        value={text}
        placeholder='{"name": "value"}'
        onChange={(typed) => {
          let parsed: Record<string, unknown>;
          try {
            parsed = typed.trim() ? (JSON.parse(typed) as Record<string, unknown>) : {};
          } catch {
            return; // keep typing
          }
          if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return;
          actions.updateState(
            name,
            (s) => {
              const props: State["properties"] = {};
              for (const k of Object.keys(s.properties)) if (known.has(k)) props[k] = s.properties[k];
              for (const [k, v] of Object.entries(parsed)) if (!known.has(k)) props[k] = v;
              return { ...s, properties: props };
            },
            "other-properties",
          );
        }}
      />
    </details>
  );
});

interface FieldProps {
  schema: PropSchema;
  idBase?: string;
  value: unknown;
  onChange(value: unknown): void;
  testId?: string;
}

function Field({ schema, idBase, value, onChange }: FieldProps) {
  const label = schema.label || schema.name;
  const id = `f-${idBase}`.replace(/[^A-Za-z0-9_-]/g, "_");
  const set = value !== undefined;
  return (
    <div className="field" data-field={schema.name} data-set={set ? "true" : "false"}>
      <div className="field-head">
        <label htmlFor={id}>
          {label}
          {schema.required && <span className="req"> *</span>}
        </label>
        {set && (
          // Remove the key from the widget's properties (an empty text keeps `""`).
          <button
            type="button"
            className="unset"
            data-testid={`unset-${schema.name}`}
            aria-label={`Unset ${label}`}
            title="Remove this property from the widget"
            onClick={() => onChange(undefined)}
          >
            unset
          </button>
        )}
      </div>
      <FieldInput id={id} schema={schema} value={value} onChange={onChange} />
      {schema.type === "string" && takesAsset(schema.name) && <AssetPicker name={schema.name} onPick={onChange} />}
      {schema.description && <small className="muted">{schema.description}</small>}
    </div>
  );
}

function FieldInput({ id, schema, value, onChange, testId: explicitTestId }: FieldProps & { id: string }) {
  const testId = explicitTestId ?? `prop-${schema.name}`;
  const encode = (v: string | boolean): unknown => {
    if (typeof v === "boolean") return schema.string_encoded ? String(v) : v;
    if ((schema.type === "integer" || schema.type === "number") && !schema.string_encoded) {
      if (v.trim() === "" ) return undefined;
      const n = Number(v);
      return Number.isFinite(n) && !/\{[{%]/.test(v) ? n : v;
    }
    return v;
  };
  switch (schema.type) {
    case "boolean": {
      const on = value === true || value === "true";
      return (
        <input id={id} data-testid={testId} type="checkbox" checked={on} onChange={(e) => onChange(encode(e.target.checked))} />
      );
    }
    case "enum": {
      const options = schema.enum ?? [];
      const cur = value === undefined || value === null ? "" : String(value);
      if (schema.open_enum || (cur && !options.includes(cur))) {
        return (
          <>
            <input id={id} data-testid={testId} list={`${id}-list`} value={cur} onChange={(e) => onChange(e.target.value)} />
            <datalist id={`${id}-list`}>
              {options.map((o) => (
                <option key={o} value={o} />
              ))}
            </datalist>
          </>
        );
      }
      return (
        <select id={id} data-testid={testId} value={cur} onChange={(e) => onChange(e.target.value || undefined)}>
          {!schema.required && <option value="">(none)</option>}
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    }
    case "integer":
    case "number":
      return schema.liquid ? (
        <LiquidField id={id} testId={testId} value={value === undefined || value === null ? "" : String(value)} onChange={(v) => onChange(encode(v))} />
      ) : (
        <input
          id={id}
          data-testid={testId}
          inputMode="numeric"
          min={schema.minimum}
          max={schema.maximum}
          value={value === undefined || value === null ? "" : String(value)}
          onChange={(e) => onChange(encode(e.target.value))}
        />
      );
    case "array":
      return <ArrayInput id={id} testId={testId} schema={schema} value={value} onChange={onChange} />;
    case "object":
    case "json-string":
      return <JsonInput id={id} testId={testId} schema={schema} value={value} onChange={onChange} />;
    default: {
      const text = value === undefined || value === null ? "" : String(value);
      if (schema.liquid) {
        // Liquid values (Set Variables, parameters) may span lines ({% if %} blocks): a textarea.
        const multi = /body|say|text|message|attributes|prompt/i.test(schema.name) || (schema.name === "value" ? "auto" : false);
        return <LiquidField id={id} testId={testId} value={text} onChange={onChange} multiline={multi} />;
      }
      return <input id={id} data-testid={testId} value={text} onChange={(e) => onChange(e.target.value)} />;
    }
  }
}

function JsonInput({ id, testId, schema, value, onChange }: FieldProps & { id: string; testId: string }) {
  const strict = schema.type !== "json-string";
  const asText = !strict
    ? typeof value === "string"
      ? value
      : value === undefined
        ? ""
        : JSON.stringify(value, null, 2)
    : value === undefined
      ? ""
      : JSON.stringify(value, null, 2);
  const [bad, setBad] = useState(false);
  return (
    <>
      <CodeEditor
        id={id}
        testId={testId}
        strict={strict}
        value={asText}
        onChange={(text) => {
          // JSON-ish text (may hold Liquid) is stored as typed; object properties as parsed JSON.
          if (!strict) {
            onChange(text);
            return;
          }
          if (!text.trim()) {
            onChange(undefined);
            setBad(false);
            return;
          }
          try {
            onChange(JSON.parse(text));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad && <small className="error">Not valid JSON yet</small>}
    </>
  );
}

function ArrayInput({ id, testId, schema, value, onChange }: FieldProps & { id: string; testId: string }) {
  const items = Array.isArray(value) ? (value as unknown[]) : [];
  const fields = schema.items?.properties;
  const set = (i: number, v: unknown) => onChange(items.map((x, j) => (j === i ? v : x)));
  // A new item holds the required fields (and non-boolean defaults); optional flags such as
  // `parse_as_json` are only written when switched on, as Console exports them.
  const blank = () => {
    if (!fields) return "";
    return Object.fromEntries(
      fields.filter((f) => f.required || (f.default !== undefined && f.type !== "boolean")).map((f) => [f.name, f.default ?? ""]),
    );
  };
  const setField = (i: number, item: unknown, f: PropSchema, v: unknown) => {
    const next = { ...(item as Record<string, unknown>) };
    if (v === undefined || (f.type === "boolean" && !f.required && (v === false || v === "false"))) delete next[f.name];
    else next[f.name] = v;
    set(i, next);
  };
  return (
    <div className="array" id={id} data-testid={testId}>
      {items.map((item, i) => (
        <div className="array-item" key={i} data-testid={`${testId}-${i}`}>
          {fields ? (
            fields.map((f) => (
              <div className="subfield" key={f.name}>
                <small>{f.label || f.name}</small>
                <FieldInput
                  id={`${id}-${i}-${f.name}`}
                  idBase=""
                  testId={`${testId}-${i}-${f.name}`}
                  schema={f}
                  value={(item as Record<string, unknown>)?.[f.name]}
                  onChange={(v) => setField(i, item, f, v)}
                />
              </div>
            ))
          ) : (
            <FieldInput
              id={`${id}-${i}`}
              idBase=""
              testId={`${testId}-${i}-value`}
              schema={{ name: `${schema.name}-${i}`, type: schema.items?.type ?? "string", required: false, liquid: schema.liquid }}
              value={item}
              onChange={(v) => set(i, v)}
            />
          )}
          <button
            type="button"
            data-testid={`${testId}-${i}-remove`}
            aria-label={`Remove item ${i + 1}`}
            onClick={() => onChange(items.filter((_, j) => j !== i))}
          >
            ✕
          </button>
        </div>
      ))}
      <button type="button" data-testid={`${testId}-add`} onClick={() => onChange([...items, blank()])}>
        + Add
      </button>
    </div>
  );
}
