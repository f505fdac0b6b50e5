import { useEffect, useState } from "react";
import { consoleApi, type Me } from "../api/console";
import { ApiKeys } from "./ApiKeys";
import { Members } from "./Members";
import { TwilioCredentials } from "./TwilioCredentials";
import { Webhooks } from "./Webhooks";

/** `/settings`: the current account's members, API keys, Twilio credentials and webhook URLs. */
export function SettingsPage() {
  const [me, setMe] = useState<Me | null>(null);
  useEffect(() => {
    consoleApi.me().then(setMe).catch(() => undefined);
  }, []);
  if (!me) return <main className="page"><p className="muted">Loading…</p></main>;
  const owner = me.role === "owner";
  return (
    <main className="page settings-page" data-testid="settings-page">
      <h1 className="one-line" title={me.account_sid}>Settings · {me.account_name}</h1>
      <p className="muted small">
        Account SID <code>{me.account_sid}</code>. You are {me.role === "owner" ? "an owner" : `a ${me.role}`}
        {owner ? "." : ": only owners change members, keys and credentials."}
      </p>
      <Members owner={owner} />
      <ApiKeys owner={owner} />
      <TwilioCredentials owner={owner} />
      <Webhooks />
    </main>
  );
}
