import { memo, useMemo, useState } from "react";
import { DRAG_MIME } from "../canvas/Canvas";
import { useEditor } from "../store/flowStore";
import type { CatalogueEntry } from "../types";
import { colorFor, iconFor } from "../widgets/registry";

/** The widget library, grouped by family; drag an item onto the canvas to add it. */
export const Library = memo(function Library({ onAdd }: { onAdd(type: string): void }) {
  const catalogue = useEditor((s) => s.catalogue);
  const [query, setQuery] = useState("");
  const [showLegacy, setShowLegacy] = useState(false);
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const out = new Map<string, CatalogueEntry[]>();
    for (const e of Object.values(catalogue)) {
      if (e.type === "trigger") continue;
      if (e.legacy && !showLegacy) continue;
      if (q && !`${e.label} ${e.type} ${e.description}`.toLowerCase().includes(q)) continue;
      const fam = e.legacy ? "Legacy" : e.family;
      if (!out.has(fam)) out.set(fam, []);
      out.get(fam)!.push(e);
    }
    return [...out.entries()];
  }, [catalogue, query, showLegacy]);

  return (
    <nav className="library" aria-label="Widget library">
      <input
        type="search"
        placeholder="Search widgets"
        aria-label="Search widgets"
        data-testid="library-search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <label className="muted small">
        <input type="checkbox" checked={showLegacy} onChange={(e) => setShowLegacy(e.target.checked)} /> show legacy
      </label>
      {groups.length === 0 && <p className="muted">No widget matches.</p>}
      {groups.map(([family, entries]) => (
        <section key={family}>
          <h3>{family}</h3>
          <ul>
            {entries.map((e) => (
              <li
                key={e.type}
                className={`library-item${e.legacy ? " legacy" : ""}`}
                data-testid={`library-item-${e.type}`}
                draggable
                title={e.description}
                onDragStart={(ev) => {
                  ev.dataTransfer.setData(DRAG_MIME, e.type);
                  ev.dataTransfer.setData("text/plain", e.type);
                  ev.dataTransfer.effectAllowed = "copy";
                }}
                onDoubleClick={() => onAdd(e.type)}
              >
                <span className="widget-icon" aria-hidden="true" style={{ color: colorFor(e.family) }}>
                  {iconFor(e.type, e.family)}
                </span>
                {e.label}
                {e.legacy && <span className="badge">legacy</span>}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </nav>
  );
});
