import type { FlowDetail } from "../types";

export interface Conflict {
  current_revision: number;
  flow: FlowDetail | null;
  retry(): void;
}

/** Shown on a 409: someone saved a newer revision; never overwrite silently. */
export function ConflictDialog({
  conflict, onReload, onOverwrite, onCancel,
}: { conflict: Conflict; onReload(): void; onOverwrite(): void; onCancel(): void }) {
  return (
    <div className="modal-backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby="conflict-title" className="modal" data-testid="conflict-dialog">
        <h2 id="conflict-title">This flow was changed elsewhere</h2>
        <p>
          Revision {conflict.current_revision} was saved after the revision you started from. Saving now would
          replace it.
        </p>
        <div className="row">
          <button type="button" onClick={onReload} data-testid="conflict-reload">
            Discard my changes and load revision {conflict.current_revision}
          </button>
          <button type="button" className="danger" onClick={onOverwrite} data-testid="conflict-overwrite">
            Save mine as a new revision anyway
          </button>
          <button type="button" onClick={onCancel} data-testid="conflict-cancel">
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
