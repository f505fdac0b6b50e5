import { ReactFlowProvider } from "@xyflow/react";
import { useCallback, useState } from "react";
import { Canvas } from "../canvas/Canvas";
import { ConflictDialog } from "../components/ConflictDialog";
import { HistoryPanel } from "../components/HistoryPanel";
import { Library } from "../components/Library";
import { ProblemsPanel } from "../components/ProblemsPanel";
import { EditorToolbar, type SidePanel } from "../editor/EditorToolbar";
import { useLiveValidation, useUnsavedChangesWarning } from "../editor/session";
import { useEditorShortcuts } from "../editor/shortcuts";
import { useEditorCommands } from "../editor/useEditorCommands";
import { Inspector } from "../inspector/Inspector";
import { executionFromSearch, useExecutionPath } from "../live/executionPath";
import { SimulatorPanel } from "../simulator/SimulatorPanel";
import { useEditor } from "../store/flowStore";

export function EditorPage({ sid }: { sid: string }) {
  return (
    <ReactFlowProvider>
      <Editor sid={sid} />
    </ReactFlowProvider>
  );
}

/** Composes the editor: commands and shortcuts (hooks), toolbar, library, canvas and panels.
 * It reads no part of the definition itself, so editing a widget does not re-render it. */
function Editor({ sid }: { sid: string }) {
  const { commands, feedback } = useEditorCommands(sid);
  useEditorShortcuts(commands);
  useLiveValidation();
  useUnsavedChangesWarning();
  const flowSid = useEditor((s) => s.flow?.sid ?? null);
  const [pathOf] = useState(() => executionFromSearch(window.location.search));
  useExecutionPath(flowSid, pathOf);
  const [open, setOpen] = useState<Record<SidePanel, boolean>>({ history: false, simulator: false });
  const toggle = useCallback((panel: SidePanel) => setOpen((o) => ({ ...o, [panel]: !o[panel] })), []);
  const closeHistory = useCallback(() => setOpen((o) => ({ ...o, history: false })), []);
  const closeSimulator = useCallback(() => setOpen((o) => ({ ...o, simulator: false })), []);
  const { status, error, conflict } = feedback;

  return (
    <div className="editor">
      <EditorToolbar
        commands={commands}
        busy={feedback.busy}
        commitMessage={feedback.commitMessage}
        simulatorOpen={open.simulator}
        onToggle={toggle}
      />
      {(error || status) && (
        <div className={error ? "banner error" : "banner"} role={error ? "alert" : "status"} data-testid="status">
          {error ?? status}
        </div>
      )}
      {pathOf && (
        <div className="banner" data-testid="path-banner">
          Showing the path of execution <a href={`/executions/${pathOf}`}>{pathOf}</a>
        </div>
      )}
      <div className="workspace">
        <Library onAdd={commands.addWidget} />
        <main className="canvas-wrap">
          {flowSid ? <Canvas /> : <div className="canvas" />}
          <ProblemsPanel onJump={commands.jumpTo} />
        </main>
        <div className="side">
          {open.simulator && flowSid && <SimulatorPanel flowSid={flowSid} onClose={closeSimulator} />}
          {open.history && <HistoryPanel onRestore={commands.restore} onClose={closeHistory} />}
          <Inspector />
        </div>
      </div>
      {conflict && (
        <ConflictDialog
          conflict={conflict}
          onCancel={() => commands.resolveConflict("cancel")}
          onOverwrite={() => commands.resolveConflict("overwrite")}
          onReload={() => commands.resolveConflict("reload")}
        />
      )}
    </div>
  );
}
