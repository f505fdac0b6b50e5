import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, api } from "../api/client";
import { Canvas } from "../canvas/Canvas";
import { readClipboard, writeClipboard } from "../clipboard";
import { ConflictDialog, type Conflict } from "../components/ConflictDialog";
import { HistoryPanel } from "../components/HistoryPanel";
import { Library } from "../components/Library";
import { ProblemsPanel } from "../components/ProblemsPanel";
import { Inspector } from "../inspector/Inspector";
import { SimulatorPanel } from "../simulator/SimulatorPanel";
import { editorStore, isDirty, useActions, useEditor } from "../store/flowStore";
import type { FlowDetail, Problem } from "../types";

export function EditorPage({ sid }: { sid: string }) {
  return (
    <ReactFlowProvider>
      <Editor sid={sid} />
    </ReactFlowProvider>
  );
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
}

function Editor({ sid }: { sid: string }) {
  const actions = useActions();
  const flow = useEditor((s) => s.flow);
  const dirty = useEditor(isDirty);
  const canUndo = useEditor((s) => s.past.length > 0 && s.diffDef === null);
  const canRedo = useEditor((s) => s.future.length > 0 && s.diffDef === null);
  const hasSelection = useEditor((s) => s.selected.size > 0);
  const search = useEditor((s) => s.search);
  const diffOn = useEditor((s) => s.diffDef !== null);
  const [status, setStatus] = useState<string>("Loading…");
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState("");
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [history, setHistory] = useState(false);
  const [simulator, setSimulator] = useState(false);
  const [busy, setBusy] = useState(false);
  const rf = useReactFlow();

  const loadFlow = useCallback(
    (detail: FlowDetail) => {
      actions.load(detail, detail.definition);
      document.title = `${detail.friendly_name} · Open Studio`;
      setStatus("");
    },
    [actions, rf],
  );

  const loadRef = useRef(loadFlow);
  loadRef.current = loadFlow;
  useEffect(() => {
    let live = true;
    Promise.all([api.widgets(), api.flow(sid)])
      .then(([widgets, detail]) => {
        if (!live) return;
        editorStore.getState().actions.setCatalogue(widgets);
        loadRef.current(detail);
      })
      .catch((e: Error) => live && setError(`Could not load the flow: ${e.message}`));
    return () => {
      live = false;
    };
  }, [sid]);

  // Live validation: the server's validator is the one source of truth for problems.
  const def = useEditor((s) => s.def);
  const savedDef = useEditor((s) => s.savedDef);
  useEffect(() => {
    if (def === savedDef) return;
    const sent = def;
    const t = setTimeout(
      () => {
        api.validate(sent).then(
          (r) => {
            if (editorStore.getState().def === sent) actions.setProblems(r.errors, r.warnings, sent);
          },
          () => undefined,
        );
      },
      def.states.length > 300 ? 2000 : 600,
    );
    return () => clearTimeout(t);
  }, [def, savedDef, actions]);

  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (isDirty(editorStore.getState())) e.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, []);

  const jumpTo = useCallback(
    (name: string) => {
      actions.select([name]);
      rf.fitView({ nodes: [{ id: name }], duration: 200, maxZoom: 1.2 });
    },
    [actions, rf],
  );

  const save = useCallback(
    async (publish: boolean, expected?: number) => {
      const st = editorStore.getState();
      if (!st.flow) return;
      setBusy(true);
      setError(null);
      const sent = st.def;
      try {
        let detail: FlowDetail;
        const expected_revision = expected ?? st.flow.revision;
        if (publish && !isDirty(st) && expected === undefined) {
          detail = await api.publish(st.flow.sid, expected_revision);
        } else {
          detail = await api.saveRevision(st.flow.sid, sent, expected_revision, publish ? "published" : "draft", message || undefined);
        }
        actions.saved(detail, sent);
        setMessage("");
        setStatus(publish ? `Published revision ${detail.revision}` : `Saved revision ${detail.revision}${detail.valid ? "" : " (has errors)"}`);
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) {
          const details = (e.body?.details ?? {}) as { current_revision?: number; flow?: FlowDetail };
          setConflict({
            current_revision: details.current_revision ?? (details.flow?.revision ?? 0),
            flow: details.flow ?? null,
            retry: () => void save(publish, details.current_revision ?? details.flow?.revision),
          });
        } else if (e instanceof ApiError && e.status === 400 && e.body?.details && "errors" in e.body.details) {
          const d = e.body.details as { errors?: Problem[]; warnings?: Problem[] };
          actions.setProblems(d.errors ?? [], d.warnings ?? [], sent);
          setError(`Not published: ${e.message}`);
        } else {
          setError((e as Error).message);
        }
      } finally {
        setBusy(false);
      }
    },
    [actions, message],
  );

  const copy = useCallback(async () => {
    const payload = actions.copy();
    if (!payload.states.length) return;
    await writeClipboard(payload);
    setStatus(`Copied ${payload.states.length} widget(s)`);
  }, [actions]);

  const paste = useCallback(async () => {
    const payload = await readClipboard();
    if (!payload) {
      setStatus("Nothing to paste");
      return;
    }
    // Land the pasted group at the centre of the visible canvas (it may come from another flow).
    const pane = document.querySelector(".react-flow__pane")?.getBoundingClientRect();
    let shift = { x: 40, y: 40 };
    if (pane && payload.states.length) {
      const c = rf.screenToFlowPosition({ x: pane.left + pane.width / 2, y: pane.top + pane.height / 3 });
      const xs = payload.states.map((s) => Number(s.properties?.offset?.x ?? 0));
      const ys = payload.states.map((s) => Number(s.properties?.offset?.y ?? 0));
      const same = editorStore.getState().def.states.some((s) => payload.states.some((p) => p.name === s.name));
      shift = { x: Math.round(c.x - Math.min(...xs)) + (same ? 40 : 0), y: Math.round(c.y - Math.min(...ys)) + (same ? 40 : 0) };
    }
    const pasted = actions.paste(payload, shift);
    setStatus(`Pasted ${pasted.length} widget(s)`);
  }, [actions, rf]);

  const autoLayout = useCallback(async () => {
    const st = editorStore.getState();
    // elkjs is large: load it on first use so it does not delay opening a flow.
    const { layout } = await import("../layout/elk");
    const positions = await layout(st.def, st.measured);
    actions.apply((d) => {
      const names = new Set(d.states.map((s) => s.name));
      return {
        ...d,
        states: d.states.map((s) =>
          names.has(s.name) && positions.has(s.name)
            ? { ...s, properties: { ...s.properties, offset: positions.get(s.name)! } }
            : s,
        ),
      };
    });
    requestAnimationFrame(() => rf.fitView({ padding: 0.1, maxZoom: 1, duration: 200 }));
  }, [actions, rf]);

  const exportJson = useCallback(() => {
    const st = editorStore.getState();
    const blob = new Blob([JSON.stringify(st.def, null, 2)], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `${(st.flow?.friendly_name ?? "flow").replace(/[^A-Za-z0-9_-]+/g, "_")}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }, []);

  const restore = useCallback(
    async (revision: number) => {
      const st = editorStore.getState();
      if (!st.flow) return;
      try {
        const detail = await api.restore(st.flow.sid, revision, st.flow.revision);
        actions.showDiff(null, {});
        loadFlow(detail);
        setStatus(`Restored revision ${revision} as revision ${detail.revision}`);
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) setError("Restore refused: the flow changed; reload first.");
        else setError((e as Error).message);
      }
    },
    [actions, loadFlow],
  );

  const findNext = useCallback(() => {
    const st = editorStore.getState();
    const q = st.search.trim().toLowerCase();
    if (!q) return;
    const hits = st.def.states.filter(
      (s) => s.name.toLowerCase().includes(q) || JSON.stringify(s.properties).toLowerCase().includes(q),
    );
    if (!hits.length) return;
    const cur = [...st.selected][0];
    const i = hits.findIndex((s) => s.name === cur);
    jumpTo(hits[(i + 1) % hits.length].name);
  }, [jumpTo]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || editorStore.getState().diffDef) return;
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) return;
      const k = e.key.toLowerCase();
      if (k === "z" && !e.shiftKey) actions.undo();
      else if ((k === "z" && e.shiftKey) || k === "y") actions.redo();
      else if (k === "c") void copy();
      else if (k === "v") void paste();
      else if (k === "s") void save(false);
      else if (k === "a") actions.select(editorStore.getState().def.states.map((s) => s.name));
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [actions, copy, paste, save]);

  return (
    <div className="editor">
      <header className="toolbar" role="toolbar" aria-label="Flow tools">
        <a href="/" className="home" data-testid="back-to-flows">
          ← Flows
        </a>
        <strong className="flow-name" data-testid="flow-name">{flow?.friendly_name ?? "…"}</strong>
        {flow && (
          <span className="muted" data-testid="flow-status">
            {flow.status} · rev {flow.revision}
            {dirty ? " · unsaved changes" : ""}
          </span>
        )}
        <span className="spacer" />
        <button type="button" data-testid="undo-button" aria-label="Undo" disabled={!canUndo} onClick={actions.undo}>
          ↶ Undo
        </button>
        <button type="button" data-testid="redo-button" aria-label="Redo" disabled={!canRedo} onClick={actions.redo}>
          ↷ Redo
        </button>
        <button type="button" data-testid="copy-button" disabled={!hasSelection || diffOn} onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" data-testid="paste-button" disabled={diffOn} onClick={() => void paste()}>
          Paste
        </button>
        <button type="button" data-testid="delete-button" disabled={!hasSelection || diffOn} onClick={actions.deleteSelected}>
          Delete
        </button>
        <button type="button" data-testid="auto-layout-button" disabled={diffOn} onClick={() => void autoLayout()}>
          Auto layout
        </button>
        <button type="button" data-testid="fit-view-button" onClick={() => rf.fitView({ padding: 0.1, maxZoom: 1, duration: 200 })}>
          Zoom to fit
        </button>
        <input
          type="search"
          className="flow-search"
          placeholder="Find in flow"
          aria-label="Find in flow"
          data-testid="flow-search"
          value={search}
          onChange={(e) => actions.setSearch(e.target.value)}
          onKeyDown={(e) => e.key === "Enter" && findNext()}
        />
        <input
          className="commit-message"
          placeholder="Commit message"
          aria-label="Commit message"
          data-testid="commit-message"
          value={message}
          onChange={(e) => setMessage(e.target.value)}
        />
        <button type="button" data-testid="save-button" disabled={busy || diffOn || !flow} onClick={() => void save(false)}>
          Save
        </button>
        <button type="button" data-testid="publish-button" className="primary" disabled={busy || diffOn || !flow} onClick={() => void save(true)}>
          Publish
        </button>
        <button type="button" data-testid="history-button" onClick={() => setHistory((h) => !h)}>
          History
        </button>
        <button type="button" data-testid="simulator-button" aria-pressed={simulator} disabled={!flow} onClick={() => setSimulator((v) => !v)}>
          Simulator
        </button>
        <button type="button" data-testid="export-button" onClick={exportJson}>
          Export JSON
        </button>
      </header>
      {(error || status) && (
        <div className={error ? "banner error" : "banner"} role={error ? "alert" : "status"} data-testid="status">
          {error ?? status}
        </div>
      )}
      <div className="workspace">
        <Library
          onAdd={(type) => {
            const c = rf.screenToFlowPosition({ x: window.innerWidth / 2, y: window.innerHeight / 2 });
            actions.addWidget(type, c);
          }}
        />
        <main className="canvas-wrap">
          {flow ? <Canvas /> : <div className="canvas" />}
          <ProblemsPanel onJump={jumpTo} />
        </main>
        <div className="side">
          {simulator && flow && <SimulatorPanel flowSid={flow.sid} onClose={() => setSimulator(false)} />}
          {history && <HistoryPanel onRestore={(r) => void restore(r)} onClose={() => setHistory(false)} />}
          <Inspector />
        </div>
      </div>
      {conflict && (
        <ConflictDialog
          conflict={conflict}
          onCancel={() => setConflict(null)}
          onOverwrite={() => {
            const c = conflict;
            setConflict(null);
            c.retry();
          }}
          onReload={async () => {
            setConflict(null);
            loadFlow(conflict.flow ?? (await api.flow(sid)));
          }}
        />
      )}
    </div>
  );
}
