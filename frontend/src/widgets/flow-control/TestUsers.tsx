import { useState } from "react";
import { api } from "../../api/client";
import { useActions, useEditor } from "../../store/flowStore";

/** The flow's test users (who may run a draft): saved at once, outside revisions. */
export function TestUsers() {
  const actions = useActions();
  const flow = useEditor((s) => s.flow);
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!flow) return null;
  const users = flow.test_users ?? [];

  const save = async (next: string[]) => {
    setBusy(true);
    setError(null);
    try {
      actions.flowUpdated(await api.setTestUsers(flow.sid, next));
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const add = async () => {
    const v = draft.trim();
    if (!v) return;
    if (users.includes(v)) {
      setDraft("");
      return;
    }
    if (await save([...users, v])) setDraft("");
  };

  return (
    <div className="field test-users" data-testid="test-users">
      <span>Test users</span>
      {users.length === 0 && <small className="muted">None yet: add the numbers or identities that may run the draft.</small>}
      <ul>
        {users.map((u, i) => (
          <li key={u} data-testid={`test-user-${i}`}>
            <span>{u}</span>
            <button
              type="button"
              className="unset"
              data-testid={`remove-test-user-${i}`}
              aria-label={`Remove test user ${u}`}
              disabled={busy}
              onClick={() => void save(users.filter((x) => x !== u))}
            >
              remove
            </button>
          </li>
        ))}
      </ul>
      <div className="row">
        <input
          data-testid="test-user-input"
          aria-label="New test user"
          placeholder="+15551234567 or client:alice"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") void add();
          }}
        />
        <button type="button" data-testid="add-test-user" disabled={busy || !draft.trim()} onClick={() => void add()}>
          Add
        </button>
      </div>
      {error && <small className="error" role="alert">{error}</small>}
    </div>
  );
}
