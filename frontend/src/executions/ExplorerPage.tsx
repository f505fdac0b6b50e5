import { useCallback, useEffect, useState } from "react";
import { api } from "../api/client";
import { consoleApi, type ExplorerRow } from "../api/console";
import { canChange, useRole } from "../shell/useRole";
import type { FlowSummary } from "../types";
import { apiQuery, chunks, endable, filtersFromSearch, searchFromFilters, toggled, type Filters } from "./query";

/** `/executions`: every execution of the account, filtered, paged; end or delete one or many. */
export function ExplorerPage() {
  const [filters, setFilters] = useState<Filters>(() => filtersFromSearch(location.search));
  const [flows, setFlows] = useState<FlowSummary[]>([]);
  const [rows, setRows] = useState<ExplorerRow[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [selection, setSelection] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const role = useRole();
  const readOnly = !canChange(role);
  const why = readOnly && role ? "Viewers cannot end or delete executions" : undefined;

  useEffect(() => {
    api.flows().then(setFlows).catch(() => undefined);
  }, []);

  const load = useCallback(
    async (token: string | null) => {
      setLoading(true);
      try {
        const page = await consoleApi.executions(apiQuery(filters, token));
        setRows((prev) => (token ? [...prev, ...page.executions] : page.executions));
        setNext(page.next_page_token);
        setError(null);
      } catch (e) {
        setError((e as Error).message);
      } finally {
        setLoading(false);
      }
    },
    [filters],
  );

  useEffect(() => {
    history.replaceState(null, "", `${location.pathname}${searchFromFilters(filters)}`);
    setSelection(new Set());
    const t = setTimeout(() => void load(null), 200);
    return () => clearTimeout(t);
  }, [filters, load]);

  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const allSelected = rows.length > 0 && rows.every((r) => selection.has(r.sid));

  const endSelected = async (sids: string[]) => {
    if (!sids.length) return;
    try {
      let ended = 0;
      for (const part of chunks(sids)) ended += (await consoleApi.endMany(part)).ended.length;
      setNotice(`Ended ${ended} execution${ended === 1 ? "" : "s"}`);
      await load(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const deleteSelected = async () => {
    const sids = [...selection];
    if (!sids.length || !confirm(`Delete ${sids.length} execution(s) and their steps? This cannot be undone.`)) return;
    try {
      let deleted = 0;
      for (const part of chunks(sids)) deleted += (await consoleApi.deleteMany(part)).deleted.length;
      setNotice(`Deleted ${deleted} execution${deleted === 1 ? "" : "s"}`);
      await load(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const stuck = rows.filter((r) => r.stuck);
  return (
    <main className="page explorer" data-testid="executions-explorer">
      <h1>Executions</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        <label>
          Status
          <select value={filters.status} onChange={(e) => set({ status: e.target.value as Filters["status"] })}
            data-testid="filter-status">
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="ended">Ended</option>
            <option value="stuck">Stuck</option>
          </select>
        </label>
        <label>
          From
          <input type="date" value={filters.from} onChange={(e) => set({ from: e.target.value })} data-testid="filter-from" />
        </label>
        <label>
          To
          <input type="date" value={filters.to} onChange={(e) => set({ to: e.target.value })} data-testid="filter-to" />
        </label>
        <label>
          Contact
          <input type="search" placeholder="+1555…" value={filters.contact} onChange={(e) => set({ contact: e.target.value })}
            data-testid="filter-contact" />
        </label>
        <label>
          Flow
          <select value={filters.flow} onChange={(e) => set({ flow: e.target.value, revision: "" })} data-testid="filter-flow">
            <option value="">Any flow</option>
            {flows.map((f) => (
              <option key={f.sid} value={f.sid}>{f.friendly_name}</option>
            ))}
          </select>
        </label>
        <label>
          Revision
          <input type="number" min={1} className="narrow" value={filters.revision} disabled={!filters.flow}
            title={filters.flow ? "The flow's revision number" : "Pick a flow first"}
            onChange={(e) => set({ revision: e.target.value })} data-testid="filter-revision" />
        </label>
        <label>
          Waiting at
          <input type="search" placeholder="widget name" value={filters.widget} onChange={(e) => set({ widget: e.target.value })}
            data-testid="filter-widget" />
        </label>
        <label title="An active execution waiting this long with nothing happening (or past its timer) is stuck">
          Stuck after (min)
          <input type="number" min={1} className="narrow" value={filters.stuckAfter}
            onChange={(e) => set({ stuckAfter: e.target.value })} data-testid="filter-stuck-after" />
        </label>
      </form>
      <div className="row bulk-bar">
        <button type="button" className="primary" disabled={readOnly || !endable(rows, selection).length} title={why}
          onClick={() => void endSelected(endable(rows, selection))} data-testid="end-selected">
          End selected ({endable(rows, selection).length})
        </button>
        <button type="button" className="danger" disabled={readOnly || !selection.size} title={why} onClick={() => void deleteSelected()}
          data-testid="delete-selected">
          Delete selected ({selection.size})
        </button>
        <button type="button" disabled={readOnly || !stuck.length} onClick={() => void endSelected(stuck.map((r) => r.sid))}
          data-testid="end-stuck" title={why ?? "End every stuck execution listed"}>
          End all stuck ({stuck.length})
        </button>
        {notice && <span className="muted" role="status" data-testid="explorer-notice">{notice}</span>}
        {error && <span className="error" role="alert">{error}</span>}
      </div>
      <table className="table executions-table" data-testid="executions-table">
        <thead>
          <tr>
            <th>
              <input type="checkbox" aria-label="Select all" checked={allSelected}
                onChange={() => setSelection(allSelected ? new Set() : new Set(rows.map((r) => r.sid)))}
                data-testid="select-all" />
            </th>
            <th>Execution</th>
            <th>Flow</th>
            <th>Contact</th>
            <th>Status</th>
            <th>Waiting at</th>
            <th>Rev</th>
            <th>Started</th>
            <th>Last activity</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.sid} data-testid="execution-row" data-sid={r.sid} className={r.stuck ? "stuck" : undefined}>
              <td>
                <input type="checkbox" aria-label={`Select ${r.sid}`} checked={selection.has(r.sid)}
                  onChange={() => setSelection((s) => toggled(s, r.sid))} />
              </td>
              <td><a href={`/executions/${r.sid}`} className="mono">{r.sid}</a></td>
              <td className="ellipsis" title={r.flow_name}>{r.flow_name}</td>
              <td className="mono">{r.contact}</td>
              <td data-testid="execution-status">
                {r.status}
                {r.stuck && (
                  <span className="badge error" title={r.stuck_reason === "timer_overdue" ? "Its timer is overdue" : "Idle too long"}>
                    stuck
                  </span>
                )}
              </td>
              <td>{r.current_widget ?? ""}</td>
              <td>{r.revision}</td>
              <td className="small">{fmt(r.date_created)}</td>
              <td className="small">{fmt(r.date_updated)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!loading && rows.length === 0 && <p className="muted" data-testid="no-executions">No executions match these filters.</p>}
      {next && (
        <button type="button" disabled={loading} onClick={() => void load(next)} data-testid="load-more">
          {loading ? "Loading…" : "More"}
        </button>
      )}
    </main>
  );
}

export function fmt(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}
