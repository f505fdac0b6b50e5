import { useCallback, useEffect, useState } from "react";
import { api } from "../api/client";
import { CodeEditor } from "../components/code/CodeEditor";
import { parseDefinition } from "../store/ops";
import { TEMPLATES, withFlexDefaults } from "../templates";
import type { FlowSummary } from "../types";

export function FlowsList() {
  const [flows, setFlows] = useState<FlowSummary[] | null>(null);
  const [search, setSearch] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [template, setTemplate] = useState("blank");
  const [importName, setImportName] = useState("");
  const [importText, setImportText] = useState("");
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);

  const reload = useCallback(() => {
    api
      .flows(search)
      .then(setFlows)
      .catch((e: Error) => setError(e.message));
  }, [search]);

  useEffect(() => {
    const t = setTimeout(reload, 150);
    return () => clearTimeout(t);
  }, [reload]);

  const open = (sid: string) => {
    window.location.href = `/flows/${sid}`;
  };

  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const t = TEMPLATES.find((x) => x.id === template);
      let def = t && t.id !== "blank" ? t.definition() : undefined;
      if (def && t?.flex) def = withFlexDefaults(def, await api.flexDefaults());
      const flow = await api.createFlow(name.trim() || "New flow", def, t ? `Created from ${t.label}` : undefined);
      open(flow.sid);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const importFlow = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const def = parseDefinition(importText);
      const flow = await api.createFlow(importName.trim() || def.description || "Imported flow", def, "Imported");
      open(flow.sid);
    } catch (err) {
      setError(`Import failed: ${(err as Error).message}`);
    }
  };

  const onFile = async (e: React.ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    setImportText(await file.text());
    if (!importName) setImportName(file.name.replace(/\.json$/i, ""));
  };

  return (
    <div className="flows-page">
      <main className="flows-main">
        <h1>Flows</h1>
        {error && <p className="banner error" role="alert">{error}</p>}
        <div className="flows-forms">
          <form onSubmit={create} className="card" aria-label="Create a flow">
            <h2>New flow</h2>
            <input placeholder="Flow name" aria-label="New flow name" data-testid="new-flow-name" value={name} onChange={(e) => setName(e.target.value)} />
            <select aria-label="Template" data-testid="new-flow-template" value={template} onChange={(e) => setTemplate(e.target.value)}>
              {TEMPLATES.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.label}
                </option>
              ))}
            </select>
            <button type="submit" data-testid="create-flow-button" className="primary">
              Create
            </button>
          </form>
          <form onSubmit={importFlow} className="card" aria-label="Import a flow">
            <h2>Import JSON</h2>
            <input placeholder="Flow name" aria-label="Imported flow name" data-testid="import-flow-name" value={importName} onChange={(e) => setImportName(e.target.value)} />
            <input type="file" accept="application/json,.json" aria-label="JSON file" data-testid="import-file" onChange={onFile} />
            <CodeEditor
              placeholder="…or paste the flow JSON here"
              ariaLabel="Flow JSON"
              testId="import-json"
              strict
              minLines={4}
              value={importText}
              onChange={setImportText}
            />
            <button type="submit" data-testid="import-flow-button" disabled={!importText.trim()}>
              Import
            </button>
          </form>
        </div>
        <input type="search" placeholder="Search flows by name" aria-label="Search flows" data-testid="flows-search" value={search} onChange={(e) => setSearch(e.target.value)} />
        {flows === null ? (
          <p>Loading…</p>
        ) : flows.length === 0 ? (
          <p className="muted">No flows yet.</p>
        ) : (
          <table className="flows-table" data-testid="flows-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Status</th>
                <th>Revision</th>
                <th>Widgets</th>
                <th>Last change</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {flows.map((f) => (
                <tr key={f.sid} data-testid={`flow-row-${f.sid}`} data-flow-name={f.friendly_name}>
                  <td>
                    <a href={`/flows/${f.sid}`}>{f.friendly_name}</a>
                    {!f.valid && <span className="badge error">errors</span>}
                  </td>
                  <td>{f.status}</td>
                  <td>
                    {f.revision}
                    {f.published_revision ? ` (published ${f.published_revision})` : ""}
                  </td>
                  <td>{f.widget_count}</td>
                  <td>{new Date(f.date_updated).toLocaleString()}</td>
                  <td className="row">
                    <button
                      type="button"
                      aria-label={`Duplicate ${f.friendly_name}`}
                      data-testid={`duplicate-${f.sid}`}
                      onClick={() => api.duplicate(f.sid).then(reload, (e: Error) => setError(e.message))}
                    >
                      Duplicate
                    </button>
                    {confirmDelete === f.sid ? (
                      <button
                        type="button"
                        className="danger"
                        data-testid={`confirm-delete-${f.sid}`}
                        onClick={() =>
                          api.deleteFlow(f.sid).then(() => {
                            setConfirmDelete(null);
                            reload();
                          }, (e: Error) => setError(e.message))
                        }
                      >
                        Really delete?
                      </button>
                    ) : (
                      <button type="button" aria-label={`Delete ${f.friendly_name}`} data-testid={`delete-${f.sid}`} onClick={() => setConfirmDelete(f.sid)}>
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </main>
    </div>
  );
}
