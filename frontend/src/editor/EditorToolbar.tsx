import { memo } from "react";
import { isDirty, useActions, useEditor } from "../store/flowStore";
import type { EditorCommands } from "./useEditorCommands";

export type SidePanel = "history" | "simulator";

interface Props {
  commands: EditorCommands;
  busy: boolean;
  commitMessage: string;
  simulatorOpen: boolean;
  onToggle(panel: SidePanel): void;
}

/** The editor's toolbar: it reads only the few store slices its buttons show. */
export const EditorToolbar = memo(function EditorToolbar({ commands, busy, commitMessage, simulatorOpen, onToggle }: Props) {
  const actions = useActions();
  const name = useEditor((s) => s.flow?.friendly_name ?? null);
  const sid = useEditor((s) => s.flow?.sid ?? null);
  const flowStatus = useEditor((s) => (s.flow ? `${s.flow.status} · rev ${s.flow.revision}` : null));
  const dirty = useEditor(isDirty);
  const canUndo = useEditor((s) => s.past.length > 0 && s.diffDef === null);
  const canRedo = useEditor((s) => s.future.length > 0 && s.diffDef === null);
  const hasSelection = useEditor((s) => s.selected.size > 0);
  const search = useEditor((s) => s.search);
  const diffOn = useEditor((s) => s.diffDef !== null);
  const loaded = flowStatus !== null;
  return (
    <header className="toolbar" role="toolbar" aria-label="Flow tools">
      <a href="/" className="home" data-testid="back-to-flows">
        ← Flows
      </a>
      <strong className="flow-name" data-testid="flow-name" title={name ?? undefined}>{name ?? "…"}</strong>
      {loaded && (
        <span className="muted" data-testid="flow-status">
          {flowStatus}
          {dirty ? " · unsaved changes" : ""}
        </span>
      )}
      <span className="spacer" />
      <button type="button" data-testid="undo-button" aria-label="Undo" disabled={!canUndo} onClick={commands.undo}>
        ↶ Undo
      </button>
      <button type="button" data-testid="redo-button" aria-label="Redo" disabled={!canRedo} onClick={commands.redo}>
        ↷ Redo
      </button>
      <button type="button" data-testid="copy-button" disabled={!hasSelection || diffOn} onClick={() => void commands.copy()}>
        Copy
      </button>
      <button type="button" data-testid="paste-button" disabled={diffOn} onClick={() => void commands.paste()}>
        Paste
      </button>
      <button type="button" data-testid="delete-button" disabled={!hasSelection || diffOn} onClick={commands.deleteSelected}>
        Delete
      </button>
      <button type="button" data-testid="auto-layout-button" disabled={diffOn} onClick={() => void commands.autoLayout()}>
        Auto layout
      </button>
      <button type="button" data-testid="fit-view-button" onClick={commands.fitView}>
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
        onKeyDown={(e) => e.key === "Enter" && commands.findNext()}
      />
      <input
        className="commit-message"
        placeholder="Commit message"
        aria-label="Commit message"
        data-testid="commit-message"
        value={commitMessage}
        onChange={(e) => commands.setCommitMessage(e.target.value)}
      />
      <button type="button" data-testid="save-button" disabled={busy || diffOn || !loaded} onClick={() => void commands.save(false)}>
        Save
      </button>
      <button
        type="button"
        data-testid="publish-button"
        className="primary"
        disabled={busy || diffOn || !loaded}
        onClick={() => void commands.save(true)}
      >
        Publish
      </button>
      <button type="button" data-testid="history-button" onClick={() => onToggle("history")}>
        History
      </button>
      <button type="button" data-testid="simulator-button" aria-pressed={simulatorOpen} disabled={!loaded} onClick={() => onToggle("simulator")}>
        Simulator
      </button>
      <button type="button" data-testid="export-button" onClick={commands.exportJson}>
        Export JSON
      </button>
      {sid && (
        <a href={`/executions?flow=${sid}`} className="toolbar-link" data-testid="flow-executions-link">
          Executions
        </a>
      )}
    </header>
  );
});
