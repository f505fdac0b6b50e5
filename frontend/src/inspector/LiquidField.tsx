import { useMemo, useRef, useState } from "react";
import { useEditor } from "../store/flowStore";
import { completionQuery, liquidPaths } from "./liquidPaths";

interface Props {
  id: string;
  value: string;
  onChange(value: string): void;
  /** A textarea; "auto" grows with the text (1–8 rows) for compact key/value rows. */
  multiline?: boolean | "auto";
  testId?: string;
}

/** A text field with completion of `widgets.*`, `flow.*` and `trigger.*` after `{{`. */
export function LiquidField({ id, value, onChange, multiline, testId }: Props) {
  const [caret, setCaret] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const ref = useRef<HTMLTextAreaElement & HTMLInputElement>(null);
  // The flow is read only while this field offers completions: an idle field must not re-render
  // on every edit made elsewhere in the flow.
  const def = useEditor((s) => (caret === null ? null : s.def));
  const catalogue = useEditor((s) => s.catalogue);
  const paths = useMemo(() => (def === null ? [] : liquidPaths(def, catalogue)), [def, catalogue]);
  const q = caret === null ? null : completionQuery(value, caret);
  const matches = useMemo(() => {
    if (!q) return [];
    const needle = q.query.toLowerCase();
    const prefix = paths.filter((p) => p.toLowerCase().startsWith(needle));
    const inner = paths.filter((p) => !p.toLowerCase().startsWith(needle) && p.toLowerCase().includes(needle));
    return [...prefix, ...inner].slice(0, 50);
  }, [paths, q?.query]); // eslint-disable-line react-hooks/exhaustive-deps

  const pick = (path: string) => {
    if (!q || caret === null) return;
    const after = value.slice(caret);
    const closing = /^\s*}}/.test(after) ? "" : "}}";
    const next = value.slice(0, q.start) + path + closing + after;
    onChange(next);
    const pos = q.start + path.length + closing.length;
    setCaret(null);
    requestAnimationFrame(() => ref.current?.setSelectionRange(pos, pos));
  };

  const common = {
    id,
    ref,
    value,
    "data-testid": testId,
    spellCheck: false,
    onChange: (e: React.ChangeEvent<HTMLTextAreaElement | HTMLInputElement>) => {
      onChange(e.target.value);
      setCaret(e.target.selectionStart);
      setActive(0);
    },
    onKeyUp: (e: React.KeyboardEvent<HTMLTextAreaElement | HTMLInputElement>) => {
      if (!["ArrowUp", "ArrowDown", "Enter", "Escape", "Tab"].includes(e.key)) setCaret(e.currentTarget.selectionStart);
    },
    onClick: (e: React.MouseEvent<HTMLTextAreaElement | HTMLInputElement>) => setCaret(e.currentTarget.selectionStart),
    onBlur: () => setTimeout(() => setCaret(null), 150),
    onKeyDown: (e: React.KeyboardEvent) => {
      if (!matches.length) return;
      if (e.key === "ArrowDown") {
        setActive((a) => (a + 1) % matches.length);
        e.preventDefault();
      } else if (e.key === "ArrowUp") {
        setActive((a) => (a - 1 + matches.length) % matches.length);
        e.preventDefault();
      } else if (e.key === "Enter" || e.key === "Tab") {
        pick(matches[Math.min(active, matches.length - 1)]);
        e.preventDefault();
      } else if (e.key === "Escape") {
        setCaret(null);
      }
    },
  };

  return (
    <div className="liquid-field">
      {multiline ? (
        <textarea rows={multiline === "auto" ? Math.min(8, value.split("\n").length) : 3} {...common} />
      ) : <input type="text" {...common} />}
      {matches.length > 0 && (
        <ul className="completions" role="listbox" data-testid="liquid-completions">
          {matches.map((m, i) => (
            <li
              key={m}
              role="option"
              aria-selected={i === active}
              className={i === active ? "active" : ""}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(m);
              }}
            >
              {m}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
