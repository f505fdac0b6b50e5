// CodeMirror 6 editor for function source (JavaScript or Python), loaded lazily like JsonEditor.
// A small stream tokenizer gives keywords, strings, comments and numbers their colours without
// pulling in a full language package.
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, defaultHighlightStyle, StreamLanguage, syntaxHighlighting, type StringStream } from "@codemirror/language";
import { Annotation, EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers } from "@codemirror/view";
import { useEffect, useRef } from "react";

export interface SourceEditorProps {
  value: string;
  onChange(value: string): void;
  language: "node" | "python";
  testId?: string;
}

const KEYWORDS = {
  node: new Set("async await break case catch class const continue default delete do else export extends false finally for function if import in instanceof let new null return switch this throw true try typeof undefined var void while yield require exports module".split(" ")),
  python: new Set("and as assert async await break class continue def del elif else except False finally for from global if import in is lambda None nonlocal not or pass raise return True try while with yield".split(" ")),
};

function tokenizer(language: "node" | "python") {
  const comment = language === "python" ? "#" : "//";

  function inString(stream: StringStream, state: { quote: string | null }): string {
    while (!stream.eol()) {
      const ch = stream.next();
      if (ch === "\\") stream.next();
      else if (ch === state.quote) {
        state.quote = null;
        return "string";
      }
    }
    if (state.quote !== "`") state.quote = null; // only template literals span lines
    return "string";
  }

  return StreamLanguage.define<{ quote: string | null }>({
    startState: () => ({ quote: null }),
    token(stream: StringStream, state) {
      if (state.quote) return inString(stream, state);
      if (stream.eatSpace()) return null;
      if (stream.match(comment)) {
        stream.skipToEnd();
        return "comment";
      }
      if (language === "node" && stream.match("/*")) {
        while (!stream.eol() && !stream.match("*/")) stream.next();
        return "comment";
      }
      const ch = stream.peek() ?? "";
      if (ch && "\"'`".includes(ch)) {
        state.quote = stream.next() ?? null;
        return inString(stream, state);
      }
      if (stream.match(/^\d+(\.\d+)?/)) return "number";
      if (stream.match(/^[A-Za-z_$][\w$]*/)) return KEYWORDS[language].has(stream.current()) ? "keyword" : "variableName";
      stream.next();
      return null;
    },
  });
}

const External = Annotation.define<boolean>();

export default function SourceEditor({ value, onChange, language, testId }: SourceEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    const v = new EditorView({
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          bracketMatching(),
          tokenizer(language),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          EditorView.contentAttributes.of({ ...(testId ? { "data-testid": testId } : {}), spellcheck: "false" }),
          EditorView.theme({ ".cm-content": { minHeight: "20em", fontFamily: "monospace" } }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged && !u.transactions.some((tr) => tr.annotation(External))) onChangeRef.current(u.state.doc.toString());
          }),
        ],
      }),
      parent: host.current!,
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
  }, [language, testId]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value)
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value }, annotations: External.of(true) });
  }, [value]);

  return <div className="code-editor source-editor" ref={host} />;
}
