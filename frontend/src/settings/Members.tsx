import { useCallback, useEffect, useState } from "react";
import { consoleApi, type Member, type Role } from "../api/console";

const ROLES: Role[] = ["owner", "editor", "viewer"];

export function Members({ owner }: { owner: boolean }) {
  const [members, setMembers] = useState<Member[]>([]);
  const [who, setWho] = useState("");
  const [role, setRole] = useState<Role>("editor");
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    consoleApi.members().then(setMembers).catch((e: Error) => setError(e.message));
  }, []);
  useEffect(reload, [reload]);
  const run = async (p: Promise<unknown>) => {
    try {
      await p;
      setError(null);
      reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section className="card" data-testid="members">
      <h2>Members and roles</h2>
      <p className="muted small">Owners manage everything here; editors change flows and functions; viewers read.</p>
      {error && <p className="error" role="alert">{error}</p>}
      <table className="table">
        <thead>
          <tr><th>User</th><th>Email</th><th>Role</th><th /></tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.id} data-testid="member-row">
              <td>{m.username}</td>
              <td>{m.email}</td>
              <td>
                {owner ? (
                  <select value={m.role} aria-label={`Role of ${m.username}`}
                    onChange={(e) => void run(consoleApi.setRole(m.id, e.target.value as Role))}>
                    {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                  </select>
                ) : (
                  m.role
                )}
              </td>
              <td>
                {owner && (
                  <button type="button" className="danger"
                    onClick={() => confirm(`Remove ${m.username} from this account?`) && void run(consoleApi.removeMember(m.id))}>
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {owner && (
        <form className="row" onSubmit={(e) => {
          e.preventDefault();
          if (who.trim()) void run(consoleApi.addMember(who.trim(), role).then(() => setWho("")));
        }}>
          <input placeholder="Username or email of an existing user" value={who} onChange={(e) => setWho(e.target.value)}
            aria-label="Username or email" className="wide" />
          <select value={role} onChange={(e) => setRole(e.target.value as Role)} aria-label="Role">
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
          <button type="submit">Add member</button>
        </form>
      )}
    </section>
  );
}
