import { useCallback, useEffect, useState } from "react";
import { simApi, type FlowTest, type TestResult } from "../api/client";

/** Save the last simulator session as a golden scenario (NAME.test.json). */
export function SaveAsTest({ flowSid, executionSid, onSaved }: { flowSid: string; executionSid: string | null; onSaved?(): void }) {
  const [name, setName] = useState("");
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  if (!executionSid) return null;
  const save = async () => {
    if (!name.trim()) return;
    try {
      await simApi.saveTest(flowSid, name.trim(), executionSid);
      setNote({ ok: true, text: `Saved "${name.trim()}": the Tests tab replays it against the draft.` });
      setName("");
      onSaved?.();
    } catch (e) {
      setNote({ ok: false, text: (e as Error).message });
    }
  };
  return (
    <form
      className="sim-save-test"
      data-testid="sim-save-test-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <input aria-label="Test name" placeholder="Test name" data-testid="sim-test-name" value={name} onChange={(e) => setName(e.target.value)} />
      <button type="submit" data-testid="sim-save-test" disabled={!name.trim()} title={`Record execution ${executionSid} as a test`}>
        Save as test
      </button>
      {note && (
        <div className={`banner ${note.ok ? "ok" : "error"}`} role="status" data-testid="sim-save-test-note">
          {note.text}
        </div>
      )}
    </form>
  );
}

/** The flow's saved tests: run them against the draft, pass/fail each, the differences on failure. */
export function TestsTab({ flowSid, version }: { flowSid: string; version: number }) {
  const [tests, setTests] = useState<FlowTest[]>([]);
  const [results, setResults] = useState<Record<string, TestResult>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setTests(await simApi.tests(flowSid));
    } catch (e) {
      setError((e as Error).message);
    }
  }, [flowSid]);
  useEffect(() => void load(), [load, version]);

  const run = async (names?: string[]) => {
    setBusy(true);
    setError(null);
    try {
      const r = await simApi.runTests(flowSid, names);
      setResults((prev) => ({ ...prev, ...Object.fromEntries(r.results.map((x) => [x.name, x])) }));
      await load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (name: string) => {
    await simApi.deleteTest(flowSid, name);
    await load();
  };

  return (
    <div className="sim-tests" data-testid="sim-tests">
      <div className="sim-live-controls">
        <button type="button" className="primary" data-testid="tests-run" disabled={busy || tests.length === 0} onClick={() => void run()}>
          {busy ? "Running…" : "Run all against the draft"}
        </button>
      </div>
      {error && (
        <div className="banner error" role="alert">
          {error}
        </div>
      )}
      {tests.length === 0 && <div className="muted">No tests yet: chat, call or trigger the flow, then "Save as test".</div>}
      <ul>
        {tests.map((t) => {
          const result = results[t.name];
          const state = result ? (result.passed ? "passed" : "failed") : (t.last_result ?? "not run");
          const failures = result ? result.failures : t.last_failures;
          return (
            <li key={t.name} data-testid="test-row" data-name={t.name} data-result={state} className={`sim-test ${state}`}>
              <strong>{t.name}</strong> <span className="sim-test-state">{state === "passed" ? "✓ passed" : state === "failed" ? "✗ failed" : "not run"}</span>{" "}
              <button type="button" className="link" disabled={busy} onClick={() => void run([t.name])}>
                Run
              </button>{" "}
              <a href={`/api/console/flows/${flowSid}/tests/${encodeURIComponent(t.name)}`} download={`${t.name}.test.json`}>
                Download
              </a>{" "}
              <button type="button" className="link" aria-label={`Delete ${t.name}`} onClick={() => void remove(t.name)}>
                Delete
              </button>
              {state === "failed" && failures.length > 0 && (
                <pre className="sim-test-diff" data-testid="test-diff">
                  {failures.join("\n")}
                </pre>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
