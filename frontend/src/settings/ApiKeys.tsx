import { useCallback, useEffect, useState } from "react";
import { consoleApi, type ApiKeyRow } from "../api/console";

/** API keys: the secret of a new key is shown here once; the server keeps only its hash. */
export function ApiKeys({ owner }: { owner: boolean }) {
  const [keys, setKeys] = useState<ApiKeyRow[]>([]);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<ApiKeyRow | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    consoleApi.keys().then(setKeys).catch((e: Error) => setError(e.message));
  }, []);
  useEffect(reload, [reload]);

  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      const key = await consoleApi.createKey(name.trim());
      setCreated(key);
      setKeys((prev) => [...prev, { sid: key.sid, friendly_name: key.friendly_name, date_created: key.date_created }]);
      setName("");
      setError(null);
      reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const revoke = async (sid: string) => {
    if (!confirm(`Revoke ${sid}? Anything using it stops working at once.`)) return;
    try {
      await consoleApi.revokeKey(sid);
      if (created?.sid === sid) setCreated(null);
      reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section className="card" data-testid="api-keys">
      <h2>API keys</h2>
      <p className="muted small">
        Use a key as HTTP Basic credentials (<code>SK…:secret</code>) for the REST API and the official SDKs.
      </p>
      {error && <p className="error" role="alert">{error}</p>}
      {created?.secret && (
        <div className="banner secret" role="status" data-testid="new-key-secret">
          <p>
            <strong>{created.friendly_name || created.sid}</strong> created. Copy its secret now: it is not shown again.
          </p>
          <p>SID <code data-testid="new-key-sid">{created.sid}</code></p>
          <p>Secret <code data-testid="new-key-secret-value">{created.secret}</code></p>
          <button type="button" onClick={() => setCreated(null)} data-testid="dismiss-secret">I have copied it</button>
        </div>
      )}
      <table className="table">
        <thead>
          <tr><th>Name</th><th>SID</th><th>Created</th><th /></tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.sid} data-testid="key-row">
              <td>{k.friendly_name}</td>
              <td className="mono">{k.sid}</td>
              <td className="small">{new Date(k.date_created).toLocaleString()}</td>
              <td>{owner && <button type="button" className="danger" onClick={() => void revoke(k.sid)}>Revoke</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {keys.length === 0 && <p className="muted">No API keys.</p>}
      {owner && (
        <form className="row" onSubmit={(e) => void create(e)}>
          <input placeholder="Key name" value={name} maxLength={64} onChange={(e) => setName(e.target.value)}
            aria-label="Key name" data-testid="key-name" />
          <button type="submit" className="primary" data-testid="create-key">Create API key</button>
        </form>
      )}
    </section>
  );
}
