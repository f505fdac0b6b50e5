import { useEffect, useState, type ReactNode } from "react";
import { csrfToken } from "../api/client";
import { consoleApi, type AccountChoice, type Me } from "../api/console";
import { activeNav, NAV, type NavItem } from "./nav";

/** The console's frame: navigation, the account switcher and the user; the page below. */
export function Shell({ children, path = window.location.pathname }: { children: ReactNode; path?: string }) {
  const active = activeNav(path);
  const [me, setMe] = useState<Me | null>(null);
  const [accounts, setAccounts] = useState<AccountChoice[]>([]);

  useEffect(() => {
    consoleApi.me().then(setMe).catch(() => undefined);
    consoleApi.accounts().then(setAccounts).catch(() => undefined);
  }, []);

  return (
    <div className="shell">
      <header className="shell-bar">
        <a href="/" className="brand">Open Studio</a>
        <nav aria-label="Console" className="shell-nav">
          {NAV.map((item) => (
            <NavEntry key={item.id} item={item} active={item.id === active} />
          ))}
        </nav>
        <span className="spacer" />
        <AccountSwitcher me={me} accounts={accounts} />
        {me && (
          <span className="muted small" data-testid="shell-user" title={`Role: ${me.role}`}>
            {me.username} · {me.role}
          </span>
        )}
        {/* Django's logout takes a POST with the CSRF token (a GET would let any page log users out). */}
        <form method="post" action="/logout" className="logout-form">
          <input type="hidden" name="csrfmiddlewaretoken" value={csrfToken()} />
          <button type="submit">Log out</button>
        </form>
      </header>
      <div className="shell-body">{children}</div>
    </div>
  );
}

function NavEntry({ item, active }: { item: NavItem; active: boolean }) {
  if (!item.children) {
    return (
      <a href={item.href} className={active ? "active" : undefined} aria-current={active ? "page" : undefined}
        data-testid={`nav-${item.id}`}>
        {item.label}
      </a>
    );
  }
  return (
    <details className={active ? "nav-menu active" : "nav-menu"} data-testid={`nav-${item.id}`}>
      <summary>{item.label}</summary>
      <div className="nav-menu-items">
        {item.children.map((c) => (
          <a key={c.id} href={c.href} data-testid={`nav-${c.id}`}>{c.label}</a>
        ))}
      </div>
    </details>
  );
}

/** Shown to users in several accounts: switching reloads the page on the chosen account. */
function AccountSwitcher({ me, accounts }: { me: Me | null; accounts: AccountChoice[] }) {
  const [error, setError] = useState<string | null>(null);
  if (!me) return null;
  if (accounts.length < 2) {
    return <span className="account-name" title={me.account_sid} data-testid="account-name">{me.account_name}</span>;
  }
  const onChange = async (sid: string) => {
    try {
      await consoleApi.switchAccount(sid);
      // Pages of one account (a flow, an execution) mean nothing on another: start at its flows.
      window.location.href = /^\/(flows|executions|functions)\/./.test(location.pathname) ? "/" : location.pathname;
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <label className="account-switcher" title={error ?? "Switch account"}>
      <span className="sr-only">Account</span>
      <select value={me.account_sid} onChange={(e) => void onChange(e.target.value)} data-testid="account-switcher">
        {accounts.map((a) => (
          <option key={a.account_sid} value={a.account_sid}>
            {a.friendly_name} ({a.role})
          </option>
        ))}
      </select>
    </label>
  );
}
