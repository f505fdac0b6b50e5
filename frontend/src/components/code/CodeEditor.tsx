import { lazy, Suspense } from "react";

export interface CodeEditorProps {
  value: string;
  onChange(value: string): void;
  /** Put on the editable element (`.cm-content`), so tests and labels can find it. */
  testId?: string;
  id?: string;
  ariaLabel?: string;
  /** Lint as strict JSON (the import box, object properties); off for JSON-with-Liquid text. */
  strict?: boolean;
  placeholder?: string;
  minLines?: number;
}

const JsonEditor = lazy(() => import("./JsonEditor"));

/** A CodeMirror 6 JSON editor, code-split: its chunk loads the first time one is shown. */
export function CodeEditor(props: CodeEditorProps) {
  return (
    <Suspense fallback={<div className="code-editor loading muted">Loading editor…</div>}>
      <JsonEditor {...props} />
    </Suspense>
  );
}
