import { Handle, Position, useUpdateNodeInternals, type NodeProps } from "@xyflow/react";
import { memo, useEffect, useRef } from "react";
import { useLive } from "../live/liveStore";
import type { WidgetNode as WidgetNodeType } from "../store/derive";
import { colorFor, iconFor } from "../widgets/registry";

/** One widget on the canvas. Text is rendered as React text nodes, never as HTML. */
function WidgetNodeImpl({ id, data, selected }: NodeProps<WidgetNodeType>) {
  const { state, label, family, legacy, handles, problems, mark } = data;
  // React Flow measures handle positions only when a node resizes: a new split branch (or a
  // renamed one) that fits in the same box would stay unknown and could not be dragged from.
  const updateNodeInternals = useUpdateNodeInternals();
  const handleKey = handles.map((h) => `${h.id}\u0000${h.label}`).join("\u0001");
  const firstKey = useRef(handleKey);
  useEffect(() => {
    if (handleKey === firstKey.current) return;
    firstKey.current = handleKey;
    updateNodeInternals(id);
  }, [handleKey, id, updateNodeInternals]);
  const isTrigger = state.type === "trigger";
  // Live monitor: each node selects only its own mark, so an event re-renders one or two nodes.
  const live = useLive((s) => s.nodes[state.name]);
  const classes = ["widget-node"];
  if (live === "active") classes.push("is-active");
  else if (live === "visited") classes.push("is-visited");
  if (selected) classes.push("selected");
  if (problems.length) classes.push("has-errors");
  if (mark) classes.push(`mark-${mark}`);
  return (
    <div
      className={classes.join(" ")}
      data-widget-name={state.name}
      data-widget-type={state.type}
      data-mark={mark || undefined}
      data-live={live}
      style={{ borderTopColor: colorFor(family) }}
      title={problems.length ? problems.join("\n") : undefined}
    >
      {!isTrigger && <Handle type="target" position={Position.Top} id="in" className="handle-in" />}
      <div className="widget-head">
        <span className="widget-icon" aria-hidden="true" style={{ color: colorFor(family) }}>
          {iconFor(state.type, family)}
        </span>
        <span className="widget-name">{state.name}</span>
        {problems.length > 0 && (
          <span className="widget-errors" data-testid="widget-error-badge" aria-label={`${problems.length} errors`}>
            {problems.length}
          </span>
        )}
      </div>
      <div className="widget-type">
        {label}
        {legacy ? " (legacy)" : ""}
        {mark && mark !== "match" ? ` · ${mark}` : ""}
      </div>
      <div className="widget-handles">
        {handles.map((h) => (
          <div className="event" key={h.id} data-event={h.id}>
            <span className="event-label">{h.label}</span>
            <Handle type="source" position={Position.Bottom} id={h.id} className="handle-out" data-testid={`handle-${state.name}-${h.id}`} />
          </div>
        ))}
      </div>
    </div>
  );
}

export const WidgetNode = memo(WidgetNodeImpl);

/** Module scope: a stable object, so ReactFlow never re-creates node components. */
export const nodeTypes = { widget: WidgetNode };
