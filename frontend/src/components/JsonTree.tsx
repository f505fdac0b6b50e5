import { useState } from "react";

/** A collapsible JSON tree: objects and arrays open on a click; the top `openDepth` levels start open. */
export function JsonTree({ value, name, openDepth = 1 }: { value: unknown; name?: string; openDepth?: number }) {
  return (
    <div className="json-tree" data-testid="json-tree">
      <Node value={value} name={name ?? null} depth={0} openDepth={openDepth} />
    </div>
  );
}

function Node({ value, name, depth, openDepth }: { value: unknown; name: string | null; depth: number; openDepth: number }) {
  const [open, setOpen] = useState(depth < openDepth);
  const label = name !== null ? <span className="json-key">{name}: </span> : null;
  if (value === null || typeof value !== "object") {
    return (
      <div className="json-leaf">
        {label}
        <span className={`json-${value === null ? "null" : typeof value}`}>{JSON.stringify(value)}</span>
      </div>
    );
  }
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value as Record<string, unknown>);
  const [openMark, closeMark] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return (
    <div className="json-branch">
      <button type="button" className="json-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "▾" : "▸"} {label}
        {openMark}
        {!open && <span className="muted"> {entries.length} {entries.length === 1 ? "item" : "items"} </span>}
        {!open && closeMark}
      </button>
      {open && (
        <div className="json-children">
          {entries.map(([k, v]) => (
            <Node key={k} value={v} name={k} depth={depth + 1} openDepth={openDepth} />
          ))}
          <div>{closeMark}</div>
        </div>
      )}
    </div>
  );
}
