import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { CodeEditor } from "../components/code/CodeEditor";
import { liveSocket } from "../lib/liveSocket";
import { logSocketUrl } from "../simulator/functionLogs";
import { sl, type Environment, type Kind, type LogEntry, type Service, type Variable, type Version, type Visibility } from "./api";

const SourceEditor = lazy(() => import("../components/code/SourceEditor"));

interface Item {
  kind: Kind;
  sid: string;
  latest: Version | null;
}

const TEMPLATES = {
  node: "exports.handler = function (context, event, callback) {\n  const twiml = new Twilio.twiml.VoiceResponse();\n  twiml.say('Hello World');\n  callback(null, twiml);\n};\n",
  python: "def handler(context, event, callback):\n    callback(None, 'Hello World')\n",
};

function languageOf(source: string): "node" | "python" {
  return /^\s*(async\s+)?def\s+handler\s*\(/m.test(source) ? "python" : "node";
}

async function loadItems(service: string): Promise<Item[]> {
  const out: Item[] = [];
  for (const kind of ["Functions", "Assets"] as Kind[]) {
    for (const r of await sl.list(service, kind)) {
      const versions = await sl.versions(service, kind, r.sid);
      out.push({ kind, sid: r.sid, latest: versions.length ? versions[versions.length - 1] : null });
    }
  }
  return out;
}

/** Log lines in time order, each once (a re-read overlaps what the socket brought), the latest 500. */
function mergeLogs(cur: LogEntry[], more: LogEntry[]): LogEntry[] {
  const seen = new Set(cur.map((l) => l.sid));
  const fresh = more.filter((l) => !seen.has(l.sid));
  return fresh.length ? [...cur, ...fresh].sort((a, b) => a.date_created.localeCompare(b.date_created)).slice(-500) : cur;
}

/** /functions/ZS…: a service's functions and assets, their code, dependencies, variables, deploys and logs. */
export function ServicePage({ sid }: { sid: string }) {
  const [service, setService] = useState<Service | null>(null);
  const [envs, setEnvs] = useState<Environment[]>([]);
  const [envSid, setEnvSid] = useState<string>("");
  const [items, setItems] = useState<Item[]>([]);
  const [selected, setSelected] = useState<Item | null>(null);
  const [source, setSource] = useState("");
  const [visibility, setVisibility] = useState<Visibility>("public");
  const [deps, setDeps] = useState("{}");
  const [vars, setVars] = useState<Variable[]>([]);
  const [logs, setLogs] = useState<LogEntry[]>([]);
  const [liveLogs, setLiveLogs] = useState(false);
  const [progress, setProgress] = useState<string>("");
  const [error, setError] = useState<string | null>(null);
  const [newPath, setNewPath] = useState("");
  const [newLang, setNewLang] = useState<"node" | "python">("node");

  const fail = (e: unknown) => setError((e as Error).message);
  const env = envs.find((e) => e.sid === envSid) ?? null;

  const reload = useCallback(async () => {
    const [svc, environments, list, builds] = await Promise.all([sl.service(sid), sl.environments(sid), loadItems(sid), sl.builds(sid)]);
    setService(svc);
    setEnvs(environments);
    setEnvSid((cur) => cur || environments[0]?.sid || "");
    setItems(list);
    if (builds[0]) setDeps(JSON.stringify(Object.fromEntries(builds[0].dependencies.map((d) => [d.name, d.version])), null, 2));
  }, [sid]);
  useEffect(() => {
    reload().catch(fail);
  }, [reload]);

  useEffect(() => {
    if (envSid) sl.variables(sid, envSid).then(setVars).catch(fail);
  }, [sid, envSid]);

  useEffect(() => {
    if (!envSid || !liveLogs) return;
    // The latest logs from the API (newest first), then each invocation's lines over the socket;
    // read again when the socket comes back after a drop (what ran meanwhile), each line once.
    let on = true;
    const read = () => sl.logs(sid, envSid).then((l) => [...l].reverse());
    read().then((l) => on && setLogs(l)).catch(fail);
    const socket = liveSocket<{ type?: string; logs?: LogEntry[] }>({
      url: logSocketUrl(envSid),
      onMessage: (event) => event.type === "log.lines" && Array.isArray(event.logs) && setLogs((cur) => mergeLogs(cur, event.logs!)),
      onReconnect: () => void read().then((l) => on && setLogs((cur) => mergeLogs(cur, l))).catch(fail),
    });
    return () => {
      on = false;
      socket.close();
    };
  }, [sid, envSid, liveLogs]);

  const open = async (item: Item) => {
    setSelected(item);
    setVisibility(item.latest?.visibility ?? "public");
    setSource(item.kind === "Functions" && item.latest ? await sl.content(sid, item.sid, item.latest.sid) : "");
  };

  const save = async () => {
    if (!selected?.latest) return;
    const lang = languageOf(source);
    const name = selected.latest.path.split("/").pop() + (lang === "python" ? ".py" : ".js");
    const type = lang === "python" ? "text/x-python" : "application/javascript";
    const version = await sl.upload(sid, "Functions", selected.sid, selected.latest.path, visibility, new Blob([source], { type }), name);
    setSelected({ ...selected, latest: version });
    setItems((list) => list.map((i) => (i.sid === selected.sid ? { ...i, latest: version } : i)));
    setProgress(`Saved ${version.path} (${version.sid}). Deploy to make it live.`);
  };

  const addFunction = async (e: React.FormEvent) => {
    e.preventDefault();
    const path = newPath.startsWith("/") ? newPath : `/${newPath}`;
    const fn = await sl.create(sid, "Functions", path);
    const name = path.split("/").pop() + (newLang === "python" ? ".py" : ".js");
    await sl.upload(sid, "Functions", fn.sid, path, "public", new Blob([TEMPLATES[newLang]]), name);
    setNewPath("");
    await reload();
  };

  const uploadAsset = async (file: File, assetVisibility: Visibility) => {
    const path = `/${file.name.replace(/\s+/g, "-")}`;
    const asset = await sl.create(sid, "Assets", path);
    await sl.upload(sid, "Assets", asset.sid, path, assetVisibility, file, file.name);
    await reload();
  };

  const ensureEnvironment = async (suffix: string) => {
    const made = await sl.createEnvironment(sid, suffix ? `${suffix}-environment` : "production", suffix || null);
    setEnvSid(made.sid);
    await reload();
  };

  const deploy = async () => {
    if (!env) return;
    setError(null);
    const parsed = JSON.parse(deps || "{}") as Record<string, string>;
    const dependencies = Object.entries(parsed).map(([name, version]) => ({ name, version: String(version) }));
    const versions = (kind: Kind) => items.filter((i) => i.kind === kind && i.latest).map((i) => i.latest!.sid);
    setProgress("Building…");
    const build = await sl.createBuild(sid, versions("Functions"), versions("Assets"), dependencies);
    let status = build.status;
    while (status === "building") {
      await new Promise((r) => setTimeout(r, 1000));
      status = (await sl.buildStatus(sid, build.sid)).status;
      setProgress(`Build ${build.sid}: ${status}…`);
    }
    if (status === "failed") {
      setProgress(`Build ${build.sid} failed: see the build's errors with manage.py functions deploy, or fix and retry.`);
      return;
    }
    await sl.deploy(sid, env.sid, build.sid);
    setProgress(`Build ${build.sid} is live on ${env.unique_name}.`);
    await reload();
  };

  const setVariable = async (key: string, value: string, existing?: string) => {
    if (!envSid) return;
    await sl.setVariable(sid, envSid, key, value, existing);
    setVars(await sl.variables(sid, envSid));
  };

  const url = (path: string) => (env ? `${location.protocol}//${env.domain_name}${path}` : "");
  const run = (p: Promise<unknown>) => p.catch(fail);

  return (
    <div className="flows-page functions-service" data-testid="functions-service">
      <div className="flows-main">
      <p><a href="/functions">← Functions &amp; Assets</a></p>
      <h1>{service?.unique_name ?? "…"}</h1>
      {error && <p className="banner error" role="alert">{error}</p>}
      <section className="row">
        <label>
          Environment{" "}
          <select value={envSid} onChange={(e) => setEnvSid(e.target.value)} data-testid="environment">
            {envs.map((e) => <option key={e.sid} value={e.sid}>{e.unique_name} ({e.domain_name})</option>)}
          </select>
        </label>
        {!envs.some((e) => !e.domain_suffix) && <button onClick={() => run(ensureEnvironment(""))}>Add production</button>}
        {!envs.some((e) => e.domain_suffix === "dev") && <button onClick={() => run(ensureEnvironment("dev"))}>Add dev</button>}
        <button onClick={() => run(deploy())} disabled={!env || !items.length} data-testid="deploy">Deploy all</button>
        <span className="muted" data-testid="deploy-progress">{progress}</span>
      </section>
      <div className="functions-layout" style={{ display: "grid", gridTemplateColumns: "280px 1fr", gap: "1em" }}>
        <aside>
          <h2>Functions &amp; assets</h2>
          <ul>
            {items.map((i) => (
              <li key={i.sid}>
                <button className="link" onClick={() => run(open(i))} data-testid="resource">
                  {i.latest?.path ?? "(no version)"}
                </button>{" "}
                <span className="muted">{i.kind === "Assets" ? "asset" : "function"} · {i.latest?.visibility}</span>
              </li>
            ))}
          </ul>
          <form onSubmit={(e) => run(addFunction(e))}>
            <input aria-label="New function path" placeholder="/path" value={newPath} onChange={(e) => setNewPath(e.target.value)} />
            <select aria-label="Language" value={newLang} onChange={(e) => setNewLang(e.target.value as "node" | "python")}>
              <option value="node">JavaScript</option>
              <option value="python">Python</option>
            </select>
            <button type="submit" disabled={!newPath.trim()}>Add function</button>
          </form>
          <AssetUpload onUpload={(file, v) => run(uploadAsset(file, v))} />
        </aside>
        <main>
          {selected?.kind === "Functions" && selected.latest ? (
            <>
              <h2>{selected.latest.path}</h2>
              <p>
                <label>
                  Visibility{" "}
                  <select value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)}>
                    <option value="public">public</option>
                    <option value="protected">protected</option>
                    <option value="private">private</option>
                  </select>
                </label>{" "}
                {env && visibility !== "private" && <code>{url(selected.latest.path)}</code>}
              </p>
              <Suspense fallback={<div className="muted">Loading editor…</div>}>
                <SourceEditor value={source} onChange={setSource} language={languageOf(source)} testId="function-source" />
              </Suspense>
              <button onClick={() => run(save())}>Save</button>
            </>
          ) : selected?.latest ? (
            <p>Asset {selected.latest.path} ({selected.latest.visibility}) {env && <a href={url(selected.latest.path)}>{url(selected.latest.path)}</a>}</p>
          ) : (
            <p className="muted">Pick a function to edit its code.</p>
          )}
          <h2>Dependencies</h2>
          <CodeEditor value={deps} onChange={setDeps} strict ariaLabel="Dependencies (package name → version)" />
          <h2>Environment variables</h2>
          <Variables vars={vars} onSet={(k, v, s) => run(setVariable(k, v, s))} onDelete={(v) => run(sl.deleteVariable(sid, envSid, v).then(() => sl.variables(sid, envSid)).then(setVars))} />
          <h2>
            Logs <label><input type="checkbox" checked={liveLogs} onChange={(e) => setLiveLogs(e.target.checked)} /> live</label>
          </h2>
          <pre className="logs" data-testid="logs">
            {logs.map((l) => `${l.date_created} ${l.level.toUpperCase()} ${l.message}`).join("\n")}
          </pre>
        </main>
      </div>
      </div>
    </div>
  );
}

function AssetUpload({ onUpload }: { onUpload(file: File, visibility: Visibility): void }) {
  const [visibility, setVisibility] = useState<Visibility>("public");
  return (
    <p>
      <label>
        Upload asset <input type="file" onChange={(e) => e.target.files?.[0] && onUpload(e.target.files[0], visibility)} />
      </label>
      <select aria-label="Asset visibility" value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)}>
        <option value="public">public</option>
        <option value="protected">protected</option>
        <option value="private">private</option>
      </select>
    </p>
  );
}

function Variables({ vars, onSet, onDelete }: { vars: Variable[]; onSet(k: string, v: string, sid?: string): void; onDelete(sid: string): void }) {
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  return (
    <table className="table">
      <tbody>
        {vars.map((v) => (
          <tr key={v.sid}>
            <td><code>{v.key}</code></td>
            <td>
              <input defaultValue={v.value} aria-label={`Value of ${v.key}`} onBlur={(e) => e.target.value !== v.value && onSet(v.key, e.target.value, v.sid)} />
            </td>
            <td><button onClick={() => onDelete(v.sid)}>Delete</button></td>
          </tr>
        ))}
        <tr>
          <td><input aria-label="New variable key" value={key} onChange={(e) => setKey(e.target.value)} placeholder="KEY" /></td>
          <td><input aria-label="New variable value" value={value} onChange={(e) => setValue(e.target.value)} placeholder="value" /></td>
          <td>
            <button disabled={!key.trim()} onClick={() => { onSet(key.trim(), value); setKey(""); setValue(""); }}>Add</button>
          </td>
        </tr>
      </tbody>
    </table>
  );
}
