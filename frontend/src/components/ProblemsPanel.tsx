import { memo } from "react";
import { useEditor, widgetForPath } from "../store/flowStore";
import type { Problem } from "../types";

/** Validation errors and warnings from the server; each entry jumps to its widget. */
export const ProblemsPanel = memo(function ProblemsPanel({ onJump }: { onJump(name: string): void }) {
  const errors = useEditor((s) => s.errors);
  const warnings = useEditor((s) => s.warnings);
  // The definition the problems were computed on (the live one only before any validation),
  // so typing in a widget does not re-render this panel.
  const problemsDef = useEditor((s) => s.problemsDef ?? s.def);
  const diffOn = useEditor((s) => s.diffDef !== null);
  if (diffOn || (!errors.length && !warnings.length)) return null;
  const row = (p: Problem, kind: "error" | "warning", i: number) => {
    const name = widgetForPath(problemsDef, p.property_path);
    return (
      <li key={`${kind}-${i}`} className={kind}>
        <button type="button" disabled={!name} onClick={() => name && onJump(name)} data-testid={`problem-${kind}`}>
          <strong>{kind === "error" ? "Error" : "Warning"}</strong> {name ? `${name}: ` : ""}
          {p.message} <code>{p.property_path}</code>
        </button>
      </li>
    );
  };
  return (
    <section className="problems" aria-label="Validation problems" data-testid="problems-panel">
      <h3>
        {errors.length} errors, {warnings.length} warnings
      </h3>
      <ul>
        {errors.map((p, i) => row(p, "error", i))}
        {warnings.map((p, i) => row(p, "warning", i))}
      </ul>
    </section>
  );
});
