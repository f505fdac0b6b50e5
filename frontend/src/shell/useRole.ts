import { useEffect, useState } from "react";
import { consoleApi, type Role } from "../api/console";

/** The user's role on the current account (null until known): pages disable what it cannot do. */
export function useRole(): Role | null {
  const [role, setRole] = useState<Role | null>(null);
  useEffect(() => {
    consoleApi.me().then((me) => setRole(me.role)).catch(() => undefined);
  }, []);
  return role;
}

export const canChange = (role: Role | null): boolean => role === "owner" || role === "editor";
