import { useEffect, useState } from "react";
import { consoleApi, type TwilioSettings } from "../api/console";

/** The real Twilio account the `twilio` provider sends messages through. */
export function TwilioCredentials({ owner }: { owner: boolean }) {
  const [current, setCurrent] = useState<TwilioSettings | null>(null);
  const [sid, setSid] = useState("");
  const [token, setToken] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    consoleApi
      .twilio()
      .then((t) => {
        setCurrent(t);
        setSid(t.twilio_account_sid);
      })
      .catch((e: Error) => setError(e.message));
  }, []);
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      const t = await consoleApi.saveTwilio(sid.trim(), token);
      setCurrent(t);
      setToken("");
      setNotice("Saved");
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section className="card" data-testid="twilio-credentials">
      <h2>Twilio account</h2>
      <p className="muted small">
        With an Account SID and auth token of a real Twilio account, this account's messages are sent through Twilio;
        without, through the default provider (<code>STUDIO_PROVIDER</code>, the built-in simulator unless set).
        Outbound calls use the server-wide <code>TWILIO_ACCOUNT_SID</code>/<code>TWILIO_AUTH_TOKEN</code> settings.
      </p>
      {current && (
        <p data-testid="twilio-provider">
          Sending through: <strong>{current.provider === "twilio" ? "Twilio" : "the default provider"}</strong>
          {current.auth_token_set ? " · auth token set" : ""}
        </p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      <form className="row" onSubmit={(e) => void save(e)}>
        <input placeholder="AC…" value={sid} onChange={(e) => setSid(e.target.value)} aria-label="Twilio Account SID"
          disabled={!owner} className="wide mono" />
        <input type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)}
          placeholder={current?.auth_token_set ? "auth token (unchanged)" : "auth token"} aria-label="Twilio auth token"
          disabled={!owner} />
        {owner && <button type="submit">Save</button>}
        {notice && <span className="muted">{notice}</span>}
      </form>
    </section>
  );
}
