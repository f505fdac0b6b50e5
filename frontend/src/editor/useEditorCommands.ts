// The editor page's commands (load, save, publish, restore, clipboard, layout, search, export),
// kept apart from the page so the page only composes: toolbar, canvas, panels and dialogs.
import { useReactFlow } from "@xyflow/react";
import { useEffect, useMemo, useRef, useState } from "react";
import { ApiError, api } from "../api/client";
import { readClipboard, writeClipboard } from "../clipboard";
import type { Conflict } from "../components/ConflictDialog";
import { editorStore, isDirty, useActions } from "../store/flowStore";
import type { FlowDetail, Problem } from "../types";

export interface EditorCommands {
  undo(): void;
  redo(): void;
  copy(): Promise<void>;
  paste(): Promise<void>;
  deleteSelected(): void;
  selectAll(): void;
  /** Add a widget from the library at the centre of the window. */
  addWidget(type: string): void;
  autoLayout(): Promise<void>;
  fitView(): void;
  /** Select the next widget whose name or properties hold the search text. */
  findNext(): void;
  jumpTo(name: string): void;
  /** Save a draft revision, or publish (the current revision when nothing changed). */
  save(publish: boolean): Promise<void>;
  restore(revision: number): Promise<void>;
  exportJson(): void;
  setCommitMessage(text: string): void;
  resolveConflict(choice: "reload" | "overwrite" | "cancel"): void;
}

/** What the commands report back to the page: its banner, busy buttons, conflict dialog. */
export interface EditorFeedback {
  status: string;
  error: string | null;
  busy: boolean;
  conflict: Conflict | null;
  commitMessage: string;
}

export function useEditorCommands(sid: string): { commands: EditorCommands; feedback: EditorFeedback } {
  const actions = useActions();
  const [status, setStatus] = useState<string>("Loading…");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [commitMessage, setCommitMessage] = useState("");
  // Commands read the latest of these through refs, so their identity never changes and the
  // components they are handed to (toolbar, library, panels) are not re-rendered for nothing.
  const rf = useReactFlow();
  const rfRef = useRef(rf);
  rfRef.current = rf;
  const messageRef = useRef(commitMessage);
  messageRef.current = commitMessage;
  const conflictRef = useRef(conflict);
  conflictRef.current = conflict;

  const { commands, loadFlow } = useMemo(() => {
    const loadFlow = (detail: FlowDetail) => {
      actions.load(detail, detail.definition);
      document.title = `${detail.friendly_name} · Open Studio`;
      setStatus("");
    };

    const save = async (publish: boolean, expected?: number): Promise<void> => {
      const st = editorStore.getState();
      if (!st.flow) return;
      setBusy(true);
      setError(null);
      const sent = st.def;
      const message = messageRef.current;
      try {
        let detail: FlowDetail;
        const expected_revision = expected ?? st.flow.revision;
        if (publish && !isDirty(st) && expected === undefined) {
          detail = await api.publish(st.flow.sid, expected_revision);
        } else {
          detail = await api.saveRevision(st.flow.sid, sent, expected_revision, publish ? "published" : "draft", message || undefined);
        }
        actions.saved(detail, sent);
        setCommitMessage("");
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
    };

    const jumpTo = (name: string) => {
      actions.select([name]);
      void rfRef.current.fitView({ nodes: [{ id: name }], duration: 200, maxZoom: 1.2 });
    };

    const commands: EditorCommands = {
      undo: () => actions.undo(),
      redo: () => actions.redo(),
      deleteSelected: () => actions.deleteSelected(),
      selectAll: () => actions.select(editorStore.getState().def.states.map((s) => s.name)),
      save: (publish) => save(publish),
      jumpTo,
      setCommitMessage,

      async copy() {
        const payload = actions.copy();
        if (!payload.states.length) return;
        await writeClipboard(payload);
        setStatus(`Copied ${payload.states.length} widget(s)`);
      },

      async paste() {
        const payload = await readClipboard();
        if (!payload) {
          setStatus("Nothing to paste");
          return;
        }
        // Land the pasted group at the centre of the visible canvas (it may come from another flow).
        const pane = document.querySelector(".react-flow__pane")?.getBoundingClientRect();
        let shift = { x: 40, y: 40 };
        if (pane && payload.states.length) {
          const c = rfRef.current.screenToFlowPosition({ x: pane.left + pane.width / 2, y: pane.top + pane.height / 3 });
          const xs = payload.states.map((s) => Number(s.properties?.offset?.x ?? 0));
          const ys = payload.states.map((s) => Number(s.properties?.offset?.y ?? 0));
          const same = editorStore.getState().def.states.some((s) => payload.states.some((p) => p.name === s.name));
          shift = { x: Math.round(c.x - Math.min(...xs)) + (same ? 40 : 0), y: Math.round(c.y - Math.min(...ys)) + (same ? 40 : 0) };
        }
        const pasted = actions.paste(payload, shift);
        setStatus(`Pasted ${pasted.length} widget(s)`);
      },

      addWidget(type) {
        const c = rfRef.current.screenToFlowPosition({ x: window.innerWidth / 2, y: window.innerHeight / 2 });
        actions.addWidget(type, c);
      },

      async autoLayout() {
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
        requestAnimationFrame(() => void rfRef.current.fitView({ padding: 0.1, maxZoom: 1, duration: 200 }));
      },

      fitView() {
        void rfRef.current.fitView({ padding: 0.1, maxZoom: 1, duration: 200 });
      },

      findNext() {
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
      },

      async restore(revision) {
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

      exportJson() {
        const st = editorStore.getState();
        const blob = new Blob([JSON.stringify(st.def, null, 2)], { type: "application/json" });
        const a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = `${(st.flow?.friendly_name ?? "flow").replace(/[^A-Za-z0-9_-]+/g, "_")}.json`;
        a.click();
        setTimeout(() => URL.revokeObjectURL(a.href), 1000);
      },

      resolveConflict(choice) {
        const c = conflictRef.current;
        setConflict(null);
        if (!c) return;
        if (choice === "overwrite") c.retry();
        else if (choice === "reload") {
          if (c.flow) loadFlow(c.flow);
          else api.flow(sid).then(loadFlow, (e: Error) => setError(e.message));
        }
      },
    };
    return { commands, loadFlow };
  }, [actions, sid]);

  useEffect(() => {
    let live = true;
    Promise.all([api.widgets(), api.flow(sid)])
      .then(([widgets, detail]) => {
        if (!live) return;
        editorStore.getState().actions.setCatalogue(widgets);
        loadFlow(detail);
      })
      .catch((e: Error) => live && setError(`Could not load the flow: ${e.message}`));
    return () => {
      live = false;
    };
  }, [sid, loadFlow]);

  const feedback = useMemo(
    () => ({ status, error, busy, conflict, commitMessage }),
    [status, error, busy, conflict, commitMessage],
  );
  return { commands, feedback };
}
