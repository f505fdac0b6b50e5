import { useReactFlow } from "@xyflow/react";
import { memo, useEffect, useState } from "react";
import { api } from "../api/client";
import { diffDefinitions, diffView } from "../store/diff";
import { useActions, useEditor } from "../store/flowStore";
import type { FlowDiff, RevisionSummary } from "../types";

/** Revision history: diff any two revisions on the canvas, restore one. */
export const HistoryPanel = memo(function HistoryPanel({ onRestore, onClose }: { onRestore(revision: number): void; onClose(): void }) {
  const flow = useEditor((s) => s.flow);
  const diffOn = useEditor((s) => s.diffDef !== null);
  const actions = useActions();
  const rf = useReactFlow();
  const [revisions, setRevisions] = useState<RevisionSummary[]>([]);
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const [diff, setDiff] = useState<FlowDiff | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!flow) return;
    api
      .revisions(flow.sid)
      .then((rs) => {
        setRevisions(rs);
        if (rs.length >= 2) {
          setTo(rs[0].revision);
          setFrom(rs[1].revision);
        } else if (rs.length === 1) {
          setTo(rs[0].revision);
          setFrom(rs[0].revision);
        }
      })
      .catch((e: Error) => setError(e.message));
  }, [flow]);

  const show = async () => {
    if (!flow || from === null || to === null) return;
    setError(null);
    try {
      const [a, b] = await Promise.all([api.revision(flow.sid, from), api.revision(flow.sid, to)]);
      let d: FlowDiff;
      try {
        d = await api.diff(flow.sid, from, to);
      } catch {
        d = diffDefinitions(a.definition, b.definition, from, to);
      }
      setDiff(d);
      const view = diffView(a.definition, b.definition, d);
      actions.select([]);
      actions.showDiff(view.def, view.marks);
      setTimeout(() => void rf.fitView({ padding: 0.1, maxZoom: 1, duration: 200 }), 50);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const close = () => {
    actions.showDiff(null, {});
    setDiff(null);
  };

  return (
    <section className="history" aria-label="Revision history" data-testid="history-panel">
      <header className="row">
        <h3>Revisions</h3>
        <button type="button" onClick={() => { close(); onClose(); }} aria-label="Close history">✕</button>
      </header>
      {error && <p className="error" role="alert">{error}</p>}
      <table>
        <thead>
          <tr>
            <th>From</th>
            <th>To</th>
            <th>#</th>
            <th>Status</th>
            <th>Message</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {revisions.map((r) => (
            <tr key={r.revision} data-testid={`revision-${r.revision}`}>
              <td>
                <input type="radio" name="from" aria-label={`Diff from revision ${r.revision}`} checked={from === r.revision} onChange={() => setFrom(r.revision)} />
              </td>
              <td>
                <input type="radio" name="to" aria-label={`Diff to revision ${r.revision}`} checked={to === r.revision} onChange={() => setTo(r.revision)} />
              </td>
              <td>{r.revision}</td>
              <td>{r.status}</td>
              <td className="ellipsis" title={r.commit_message ?? ""}>
                {r.commit_message}
                {r.author ? ` — ${r.author}` : ""}
                <br />
                <small className="muted">{new Date(r.date_created).toLocaleString()}</small>
              </td>
              <td>
                <button type="button" onClick={() => onRestore(r.revision)} data-testid={`restore-${r.revision}`}>
                  Restore
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <button type="button" onClick={show} data-testid="show-diff-button" disabled={from === null || to === null}>
          Show diff on canvas
        </button>
        {diffOn && (
          <button type="button" onClick={close} data-testid="close-diff-button">
            Back to editing
          </button>
        )}
      </div>
      {diff && diffOn && (
        <div className="diff-summary" data-testid="diff-summary">
          <p>
            Revision {diff.from} → {diff.to}
          </p>
          <ul>
            {diff.logic.added.map((n) => <li key={`a${n}`} className="mark-added">+ {n}</li>)}
            {diff.logic.removed.map((n) => <li key={`r${n}`} className="mark-removed">− {n}</li>)}
            {diff.logic.changed.map((c) => (
              <li key={`c${c.name}`} className="mark-changed">
                ~ {c.name} {c.fields.length ? `(${c.fields.join(", ")})` : ""}
              </li>
            ))}
            {diff.layout.moved
              .filter((m) => !diff.logic.changed.some((c) => c.name === m.name))
              .map((m) => <li key={`m${m.name}`} className="mark-moved">↔ {m.name} (moved only)</li>)}
            {(diff.logic.transitions?.added ?? []).map((t, i) => (
              <li key={`ta${i}`} className="mark-added">+ {t.from} —{t.event}→ {t.to}</li>
            ))}
            {(diff.logic.transitions?.removed ?? []).map((t, i) => (
              <li key={`tr${i}`} className="mark-removed">− {t.from} —{t.event}→ {t.to}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
});
