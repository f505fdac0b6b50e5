import { memo, useEffect, useMemo, useRef, useState } from "react";
import { loadCatalog, type CatalogService } from "../inspector/functionCatalog";
import { liveSocket } from "../lib/liveSocket";
import type { FlowDefinition } from "../types";
import { clock, followedEnvironments, logSocketUrl, type LogLine } from "./functionLogs";

type Connection = "connecting" | "live" | "refused";

const MAX_LINES = 300;
const RETRY_MS = 2000;

/** Follows one environment's log socket until stopped; reconnects after a drop (backing off while
 * no socket can be opened), never after a refusal (serverless/live.py's 4403). Lines sent while
 * it was down are not read again: the pane shows what runs while it watches. */
function watch(environmentSid: string, onLines: (lines: LogLine[]) => void, onState: (state: Connection) => void): () => void {
  onState("connecting");
  const socket = liveSocket<{ type?: string; logs?: LogLine[] }>({
    url: logSocketUrl(environmentSid),
    baseMs: RETRY_MS,
    onDown: () => onState("connecting"),
    onRefused: () => onState("refused"),
    onMessage(frame) {
      if (frame.type === "logs.ready") onState("live");
      else if (frame.type === "log.lines" && Array.isArray(frame.logs)) onLines(frame.logs);
    },
  });
  return () => socket.close();
}

/** What decides which environments to follow: the Run Function widgets' picks and URLs. */
function widgetsKey(def: FlowDefinition | null): string {
  return JSON.stringify(
    (def?.states ?? [])
      .filter((s) => s.type === "run-function")
      .map((s) => [s.properties.function_sid, s.properties.environment_sid, s.properties.url]),
  );
}

/** Beside the transcript: the console output of the Functions the simulated flow calls, live
 * (the environments' `ws/functions/{ZE}/logs` sockets, with the console session). Lines are
 * plain text: a function's output is never markup here. */
export const FunctionLogsPane = memo(function FunctionLogsPane({ definition }: { definition: FlowDefinition | null }) {
  const [services, setServices] = useState<CatalogService[] | null>(null);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [connections, setConnections] = useState<Record<string, Connection>>({});
  const list = useRef<HTMLOListElement>(null);
  const key = widgetsKey(definition);

  // Read afresh when the widgets change: a function deployed since the page opened is followed.
  useEffect(() => {
    if (key === "[]") return;
    let live = true;
    void loadCatalog(true).then((s) => live && setServices(s));
    return () => {
      live = false;
    };
  }, [key]);

  const followed = useMemo(() => followedEnvironments(definition, services ?? []), [definition, services]);
  const sids = followed.environments.map((e) => e.sid).join(",");

  useEffect(() => {
    if (!sids) return;
    const stops = sids.split(",").map((sid) =>
      watch(
        sid,
        (logs) => setLines((cur) => [...cur, ...logs.filter((l) => !cur.some((c) => c.sid === l.sid))].slice(-MAX_LINES)),
        (state) => setConnections((cur) => (cur[sid] === state ? cur : { ...cur, [sid]: state })),
      ),
    );
    return () => {
      stops.forEach((stop) => stop());
      setConnections({});
    };
  }, [sids]);

  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [lines.length]);

  if (followed.widgets === 0) return null;
  const states = followed.environments.map((e) => connections[e.sid] ?? "connecting");
  const overall: Connection | "off" = !states.length
    ? "off"
    : states.includes("refused")
      ? "refused"
      : states.every((s) => s === "live")
        ? "live"
        : "connecting";
  const pathOf = (line: LogLine) =>
    line.function_path ||
    (line.function_sid && followed.environments.find((e) => e.sid === line.environment_sid)?.paths[line.function_sid]) ||
    line.function_sid ||
    "";
  return (
    <section className="sim-fnlogs" data-testid="sim-fnlogs" aria-label="Function logs">
      <div className="sim-fnlogs-head">
        <strong>Function logs</strong>
        <span className={`sim-connection ${overall}`} data-testid="fnlogs-connection" data-connection={overall}>
          {overall === "live" ? "● live" : overall === "refused" ? "not allowed" : overall === "off" ? "" : "…"}
        </span>
        <span className="spacer" />
        <button type="button" onClick={() => setLines([])} disabled={!lines.length} data-testid="fnlogs-clear">
          Clear
        </button>
      </div>
      {services !== null && followed.environments.length > 0 && (
        <div className="muted" data-testid="fnlogs-following">
          Following {followed.environments.map((e) => e.label).join(", ")}
        </div>
      )}
      {services !== null && followed.unresolved.length > 0 && (
        <div className="muted" data-testid="fnlogs-unresolved">
          Logs are shown only for functions deployed here, picked in the Run Function widget or called by their URL; not for{" "}
          {followed.unresolved.join(", ")}.
        </div>
      )}
      <ol className="sim-fnlogs-lines" data-testid="fnlogs-lines" ref={list}>
        {lines.map((l) => (
          <li key={l.sid} className={`sim-fnlog ${l.level}`} data-level={l.level}>
            <time dateTime={l.date_created}>{clock(l.date_created)}</time> <span className="sim-fnlog-level">{l.level.toUpperCase()}</span>{" "}
            <span className="sim-fnlog-path">{pathOf(l)}</span> <span className="sim-fnlog-message">{l.message}</span>
          </li>
        ))}
        {!lines.length && <li className="muted">{followed.environments.length ? "New lines appear here as the flow runs." : "No function to follow."}</li>}
      </ol>
    </section>
  );
});
