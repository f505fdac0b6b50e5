import { useCallback, useEffect, useRef, useState } from "react";
import { simApi, type ExecutionQuery, type ListedExecution } from "../api/client";
import { refreshExecution } from "../live/monitor";

const REFRESH_MS = 3000;
type StatusFilter = "" | "active" | "ended" | "stuck";

/** The query sent for the filters: a date (YYYY-MM-DD) is a day; `until` includes its day. */
export function toQuery(status: StatusFilter, contact: string, since: string, until: string): ExecutionQuery {
  const next = until ? new Date(Date.parse(`${until}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10) : "";
  return {
    status: status === "stuck" ? "active" : status,
    stuck: status === "stuck",
    contact: contact.trim(),
    since,
    until: next,
  };
}

/** The flow's executions, filtered and paged; end, delete, and stuck ones flagged. */
export function ExecutionsList({ flowSid, onOpen }: { flowSid: string; onOpen(sid: string): void }) {
  const [status, setStatus] = useState<StatusFilter>("active");
  const [contact, setContact] = useState("");
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const [rows, setRows] = useState<ListedExecution[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const moreLoaded = useRef(false);

  // Page one is re-read every few seconds; pages loaded with "More" are kept until a filter changes.
  const load = useCallback(
    async (token: string | null = null) => {
      try {
        const page = await simApi.executionsPage(flowSid, { ...toQuery(status, contact, since, until), page_token: token });
        if (token) {
          moreLoaded.current = true;
          setRows((prev) => [...prev, ...page.executions]);
          setNext(page.next_page_token);
        } else {
          setRows((prev) => (moreLoaded.current ? mergeFirstPage(prev, page.executions) : page.executions));
          if (!moreLoaded.current) setNext(page.next_page_token);
        }
        setError(null);
      } catch (e) {
        setError((e as Error).message);
      }
    },
    [flowSid, status, contact, since, until],
  );

  useEffect(() => {
    moreLoaded.current = false;
    setRows([]);
    setNext(null);
    void load();
    const t = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(t);
  }, [load]);

  const act = async (what: "end" | "delete", sid: string) => {
    setError(null);
    try {
      if (what === "end") await simApi.endExecution(sid);
      else await simApi.deleteExecution(sid);
      if (what === "end") void refreshExecution(sid);
      setRows((prev) => (what === "delete" ? prev.filter((r) => r.sid !== sid) : prev));
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const stuck = rows.filter((r) => r.stuck);
  const endStuck = async () => {
    try {
      await simApi.endExecutions(flowSid, stuck.map((r) => r.sid));
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <>
      <div className="sim-filters" data-testid="executions-filters">
        <div className="sim-tabs small">
          {(["active", "ended", "stuck", ""] as StatusFilter[]).map((s) => (
            <button key={s || "all"} type="button" className={status === s ? "on" : ""} data-testid={`executions-${s || "all"}`} onClick={() => setStatus(s)}>
              {s === "" ? "All" : s[0].toUpperCase() + s.slice(1)}
            </button>
          ))}
        </div>
        <input data-testid="executions-contact" placeholder="Contact" aria-label="Contact" value={contact} onChange={(e) => setContact(e.target.value)} />
        <label>
          From <input type="date" data-testid="executions-since" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <label>
          To <input type="date" data-testid="executions-until" value={until} onChange={(e) => setUntil(e.target.value)} />
        </label>
        {status === "stuck" && stuck.length > 0 && (
          <button type="button" data-testid="executions-end-stuck" onClick={() => void endStuck()}>
            End {stuck.length} stuck
          </button>
        )}
      </div>
      {error && (
        <div className="banner error" role="alert">
          {error}
        </div>
      )}
      <ul className="sim-executions" data-testid="executions-list">
        {rows.map((x) => (
          <li key={x.sid} data-testid="execution-row" data-execution-sid={x.sid} data-status={x.status} data-stuck={x.stuck ? x.stuck_reason ?? "" : undefined}>
            <button type="button" className="linkish" data-testid="execution-item" data-execution-sid={x.sid} onClick={() => onOpen(x.sid)}>
              {x.contact ?? ""} · {x.current_widget ?? x.status}
              <span className="muted"> {x.date_created?.replace("T", " ").slice(0, 19)}</span>
            </button>
            {x.stuck && (
              <span className="sim-stuck" data-testid="execution-stuck" title={x.stuck_reason === "idle" ? "Waiting with no timer for a long time" : "Past its timer"}>
                stuck
              </span>
            )}
            {x.status === "active" && (
              <button type="button" className="small" data-testid="execution-end" onClick={() => void act("end", x.sid)}>
                End
              </button>
            )}
            <button
              type="button"
              className="small"
              data-testid="execution-delete"
              onClick={() => {
                if (window.confirm(`Delete execution ${x.sid} and its steps?`)) void act("delete", x.sid);
              }}
            >
              Delete
            </button>
          </li>
        ))}
        {!rows.length && <li className="muted">No executions match.</li>}
      </ul>
      {next && (
        <button type="button" data-testid="executions-more" onClick={() => void load(next)}>
          More
        </button>
      )}
    </>
  );
}

/** Refresh the first page in place, keeping rows loaded by "More" beyond it. */
export function mergeFirstPage(prev: ListedExecution[], first: ListedExecution[]): ListedExecution[] {
  if (!prev.length) return first;
  const oldest = first[first.length - 1];
  const cut = oldest ? prev.findIndex((r) => r.sid === oldest.sid) : -1;
  return cut === -1 || prev.length <= first.length ? first : [...first, ...prev.slice(cut + 1)];
}
