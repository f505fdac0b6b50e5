import { useCallback, useEffect, useState } from "react";
import { sl, type Service } from "./api";

/** /functions: the account's Functions & Assets services. */
export function ServicesPage() {
  const [services, setServices] = useState<Service[] | null>(null);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(() => {
    sl.services().then(setServices).catch((e: Error) => setError(e.message));
  }, []);
  useEffect(reload, [reload]);

  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const made = await sl.createService(name.trim());
      window.location.href = `/functions/${made.sid}`;
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <div className="flows-page functions-services">
      <main className="flows-main">
      <h1>Functions &amp; Assets</h1>
      {error && <p className="banner error" role="alert">{error}</p>}
      <form onSubmit={create} className="row">
        <input
          aria-label="Service unique name"
          data-testid="service-name"
          placeholder="my-service"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" disabled={!name.trim()}>Create service</button>
      </form>
      {services === null ? (
        <p className="muted">Loading…</p>
      ) : services.length === 0 ? (
        <p className="muted">No services yet. Create one here, or deploy a Serverless Toolkit project with
          <code> manage.py functions deploy DIR --account AC…</code>.</p>
      ) : (
        <table className="table">
          <thead>
            <tr><th>Unique name</th><th>SID</th><th>Domain base</th></tr>
          </thead>
          <tbody>
            {services.map((s) => (
              <tr key={s.sid} data-testid="service-row">
                <td><a href={`/functions/${s.sid}`}>{s.unique_name}</a></td>
                <td><code>{s.sid}</code></td>
                <td>{s.domain_base}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      </main>
    </div>
  );
}
