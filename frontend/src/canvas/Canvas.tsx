import {
  Background, Controls, MiniMap, ReactFlow, getNodesBounds, getViewportForBounds, useNodesInitialized, useReactFlow, useStoreApi,
  type Connection, type Edge, type EdgeChange, type NodeChange, type OnDelete,
} from "@xyflow/react";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { AnalyticsPanel } from "../analytics/AnalyticsPanel";
import { handleEvent, transitionKey, useAnalytics } from "../analytics/analyticsStore";
import { edgeKey, useLive } from "../live/liveStore";
import { Deriver, type Mark, type WidgetNode } from "../store/derive";
import { editorStore, problemsByName, useActions, useEditor } from "../store/flowStore";
import * as ops from "../store/ops";
import type { FlowDefinition } from "../types";
import { nodeTypes } from "./WidgetNode";

const LARGE_FLOW = 300;
/** Below this zoom widget text is unreadable: a flow that does not fit opens at the Trigger. */
const READABLE_ZOOM = 0.5;

export const DRAG_MIME = "application/x-studio-widget";

function searchMarks(def: FlowDefinition, text: string): Record<string, Mark> {
  const q = text.trim().toLowerCase();
  if (!q) return {};
  const out: Record<string, Mark> = {};
  for (const s of def.states) {
    if (s.name.toLowerCase().includes(q) || JSON.stringify(s.properties).toLowerCase().includes(q)) out[s.name] = "match";
  }
  return out;
}

/** Every edge labelled with how many steps took its transition in the analytics window. */
function withCounts(edges: Edge[], counts: Record<string, number>): Edge[] {
  return edges.map((e) => {
    const n = counts[transitionKey(e.source, handleEvent(e.sourceHandle), e.target)] ?? 0;
    return { ...e, label: String(n), className: n ? "has-count" : "no-count", data: { ...e.data, count: n } };
  });
}

export const Canvas = memo(function Canvas() {
  const actions = useActions();
  const def = useEditor((s) => s.def);
  const diffDef = useEditor((s) => s.diffDef);
  const diffMarks = useEditor((s) => s.marks);
  const catalogue = useEditor((s) => s.catalogue);
  const selected = useEditor((s) => s.selected);
  const measured = useEditor((s) => s.measured);
  const errors = useEditor((s) => s.errors);
  const problemsDef = useEditor((s) => s.problemsDef);
  const search = useEditor((s) => s.search);
  const flowSid = useEditor((s) => s.flow?.sid ?? null);
  const [selectedEdges, setSelectedEdges] = useState<Set<string>>(new Set());
  const deriver = useRef(new Deriver());
  const { screenToFlowPosition, setCenter, setViewport, getNodes } = useReactFlow();
  const rfStore = useStoreApi();
  const initialized = useNodesInitialized();
  const fitted = useRef(false);
  useEffect(() => {
    // Fit once, when the first nodes have been measured (never again on later additions).
    if (fitted.current) return;
    const { def } = editorStore.getState();
    // Large flows never become "initialized": off-screen widgets are never measured.
    if (!initialized && def.states.length <= LARGE_FLOW) return;
    fitted.current = true;
    const start = def.states.find((s) => s.name === def.initial_state) ?? def.states[0];
    const o = ops.offsetOf(start);
    if (def.states.length > LARGE_FLOW) {
      // Fitting thousands of widgets would render all of them at a tiny zoom; start at the
      // Trigger instead and let onlyRenderVisibleElements keep the rest out of the DOM.
      void setCenter(o.x + 110, o.y + 250, { zoom: 0.8 });
      return;
    }
    if (def.states.length <= 1) return;
    // Fit the whole flow when it stays readable; otherwise open at a readable zoom with the
    // Trigger at the top centre (where a flow starts), like Console does.
    const { width, height } = rfStore.getState();
    const bounds = getNodesBounds(getNodes(), { nodeLookup: rfStore.getState().nodeLookup });
    const fit = getViewportForBounds(bounds, width, height, 0.01, 1, 0.1);
    if (fit.zoom >= READABLE_ZOOM - 1e-6) {
      void setViewport(fit);
      return;
    }
    const w = editorStore.getState().measured[start.name]?.width ?? 200;
    const z = READABLE_ZOOM;
    void setViewport({ x: width / 2 - (o.x + w / 2) * z, y: Math.min(80, height * 0.15) - o.y * z, zoom: z });
  }, [initialized, setCenter, setViewport, getNodes, rfStore]);

  const shown = diffDef ?? def;
  const readOnly = diffDef !== null;
  const problems = useMemo(
    () => problemsByName({ ...editorStore.getState(), errors, problemsDef }),
    [errors, problemsDef],
  );
  const marks = useMemo(() => (readOnly ? diffMarks : searchMarks(def, search)), [readOnly, diffMarks, def, search]);

  const nodes = useMemo(
    () => deriver.current.nodes({
        def: shown, catalogue, selected, measured, problems: readOnly ? {} : problems, marks,
        estimateSize: shown.states.length > LARGE_FLOW,
      }),
    [shown, catalogue, selected, measured, problems, marks, readOnly],
  );
  const rawEdges = useMemo(() => deriver.current.edges(shown, catalogue, readOnly ? diffMarks : {}), [shown, catalogue, readOnly, diffMarks]);
  // Live monitor marks: only the few marked edges get new objects (the rest keep identity).
  const liveEdges = useLive((s) => s.edges);
  const analyticsOn = useAnalytics((a) => a.on) && !readOnly;
  const counts = useAnalytics((a) => a.counts);
  const edges = useMemo(() => {
    const marked = Object.keys(liveEdges).length > 0;
    const base = analyticsOn ? withCounts(rawEdges, counts) : rawEdges;
    if (!selectedEdges.size && !marked) return base;
    return base.map((e) => {
      const live = marked && !readOnly ? liveEdges[edgeKey(e.source, e.target)] : undefined;
      const sel = selectedEdges.has(e.id);
      if (!live && !sel) return e;
      return {
        ...e,
        ...(sel ? { selected: true } : {}),
        ...(live ? { className: live === "active" ? "is-active" : "is-visited", animated: live === "active" } : {}),
      };
    });
  }, [rawEdges, selectedEdges, liveEdges, readOnly, analyticsOn, counts]);

  const onNodesChange = useCallback(
    (changes: NodeChange<WidgetNode>[]) => {
      const positions = new Map<string, { x: number; y: number }>();
      const sel: [string, boolean][] = [];
      const sizes = new Map<string, { width: number; height: number }>();
      for (const c of changes) {
        if (c.type === "position" && c.position) positions.set(c.id, c.position);
        else if (c.type === "select") sel.push([c.id, c.selected]);
        else if (c.type === "dimensions" && c.dimensions) sizes.set(c.id, c.dimensions);
      }
      if (sizes.size) actions.setMeasured(sizes);
      if (positions.size && !readOnly) actions.move(positions);
      if (sel.length) {
        const next = new Set(editorStore.getState().selected);
        for (const [id, on] of sel) {
          if (on) next.add(id);
          else next.delete(id);
        }
        actions.select(next);
      }
    },
    [actions, readOnly],
  );

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    const sel = changes.filter((c) => c.type === "select");
    if (!sel.length) return;
    setSelectedEdges((prev) => {
      const next = new Set(prev);
      for (const c of sel) {
        if (c.type !== "select") continue;
        if (c.selected) next.add(c.id);
        else next.delete(c.id);
      }
      return next;
    });
  }, []);

  const onDelete: OnDelete<WidgetNode, Edge> = useCallback(
    ({ nodes: gone, edges: cut }) => {
      if (readOnly) return;
      actions.apply((d) => {
        let out = ops.deleteStates(d, gone.map((n) => n.id));
        for (const e of cut) if (e.sourceHandle) out = ops.connect(out, e.source, e.sourceHandle, null);
        return out;
      });
      setSelectedEdges(new Set());
    },
    [actions, readOnly],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      // A widget may lead back to itself (a retry loop, e.g. deliveryFailure → resend).
      if (c.source && c.target && c.sourceHandle) actions.connect(c.source, c.sourceHandle, c.target);
    },
    [actions],
  );

  const onDrop = useCallback(
    (e: React.DragEvent) => {
      e.preventDefault();
      const type = e.dataTransfer.getData(DRAG_MIME) || e.dataTransfer.getData("text/plain");
      if (!type || readOnly || !editorStore.getState().catalogue[type]) return;
      const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      actions.addWidget(type, { x: p.x - 100, y: p.y - 20 });
    },
    [actions, readOnly, screenToFlowPosition],
  );

  const onDragOver = useCallback((e: React.DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  }, []);

  const onNodeDragStart = useCallback(() => {
    if (!readOnly) actions.beginMove();
  }, [actions, readOnly]);

  return (
    <div className="canvas" onDrop={onDrop} onDragOver={onDragOver} data-testid="canvas">
      <ReactFlow<WidgetNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onDelete={onDelete}
        onConnect={onConnect}
        onNodeDragStart={onNodeDragStart}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        elementsSelectable
        deleteKeyCode={readOnly ? null : ["Delete", "Backspace"]}
        multiSelectionKeyCode={["Shift", "Meta", "Control"]}
        selectionKeyCode="Shift"
        onlyRenderVisibleElements
        // A blank flow starts with the Trigger near the top, leaving room below to build.
        defaultViewport={{ x: 260, y: 40, zoom: 1 }}
        minZoom={0.05}
        maxZoom={2}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <MiniMap pannable zoomable nodeStrokeWidth={3} />
        <Controls />
        {flowSid && !readOnly && <AnalyticsPanel flowSid={flowSid} />}
      </ReactFlow>
    </div>
  );
});
