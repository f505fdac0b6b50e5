import { useEffect, useState } from "react";
import { consoleApi, type FlowWebhooks } from "../api/console";

/** Where to point a Twilio phone number (or Messaging Service) so its traffic runs a flow. */
export function Webhooks() {
  const [flows, setFlows] = useState<FlowWebhooks[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    consoleApi.webhooks().then((r) => setFlows(r.flows)).catch((e: Error) => setError(e.message));
  }, []);
  return (
    <section className="card" data-testid="webhooks">
      <h2>Webhook URLs for Twilio</h2>
      <p className="muted small">
        In Twilio's console, on the phone number: "A message comes in", "A call comes in" and "Call status changes",
        each <strong>Webhook</strong>, HTTP POST. Only published flows answer contacts that are not test users.
      </p>
      {error && <p className="error" role="alert">{error}</p>}
      {flows?.length === 0 && <p className="muted">No flows yet.</p>}
      {flows?.map((f) => (
        <div key={f.flow_sid} className="webhook" data-testid="webhook-flow">
          <h3 className="one-line" title={f.friendly_name}>
            {f.friendly_name} {!f.published && <span className="badge">draft only</span>}
          </h3>
          <dl className="facts">
            <dt>A message comes in</dt>
            <dd><code>{f.messaging}</code></dd>
            <dt>A call comes in</dt>
            <dd><code>{f.voice}</code></dd>
            <dt>Call status changes</dt>
            <dd><code>{f.status_callback}</code></dd>
          </dl>
        </div>
      ))}
    </section>
  );
}
