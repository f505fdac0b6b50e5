// CodeMirror 6 editor for JSON (and JSON-with-Liquid) text. Loaded lazily through
// CodeEditor.tsx, so the canvas never pays for it until a JSON field is shown.
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { linter, lintGutter } from "@codemirror/lint";
import { Annotation, EditorState, type Extension } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, placeholder as placeholderExt } from "@codemirror/view";
import { useEffect, useRef } from "react";
import type { CodeEditorProps } from "./CodeEditor";

/** Marks a change pushed in from the `value` prop, so it is not echoed back through onChange
 * (an unset property would otherwise come back as ""). */
const External = Annotation.define<boolean>();

export default function JsonEditor({ value, onChange, testId, id, ariaLabel, strict, placeholder, minLines = 3 }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    const extensions: Extension[] = [
      lineNumbers(),
      history(),
      bracketMatching(),
      json(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({
        ...(testId ? { "data-testid": testId } : {}),
        ...(id ? { id } : {}),
        ...(ariaLabel ? { "aria-label": ariaLabel } : {}),
        spellcheck: "false",
      }),
      EditorView.theme({ ".cm-content": { minHeight: `${minLines * 1.4}em` } }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged && !u.transactions.some((tr) => tr.annotation(External))) onChangeRef.current(u.state.doc.toString());
      }),
    ];
    if (placeholder) extensions.push(placeholderExt(placeholder));
    // Liquid inside JSON-ish fields ({{...}} unquoted) is valid for Studio: lint strict JSON only.
    if (strict) extensions.push(lintGutter(), linter(jsonParseLinter(), { delay: 300 }));
    const v = new EditorView({ state: EditorState.create({ doc: value, extensions }), parent: host.current! });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is created once; `value` changes are pushed in by the effect below.
  }, [testId, id, ariaLabel, strict, placeholder, minLines]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const cur = v.state.doc.toString();
    // A strict editor's text is re-serialized by the store: do not reformat under the caret.
    if (cur !== value && !(strict && sameJson(cur, value))) v.dispatch({ changes: { from: 0, to: cur.length, insert: value }, annotations: External.of(true) });
  }, [value]); // eslint-disable-line react-hooks/exhaustive-deps

  return <div className="code-editor" ref={host} />;
}

function canonical(text: string): string | null {
  if (!text.trim()) return "{}";
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return null;
  }
}

function sameJson(a: string, b: string): boolean {
  const ca = canonical(a);
  return ca !== null && ca === canonical(b);
}
