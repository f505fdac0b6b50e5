import type { RefObject } from "react";
import type { SimMessage } from "../api/client";

const IMAGE = /\.(png|jpe?g|gif|webp|svg)(\?|#|$)/i;

/** A message's media: images inline, anything else as a link (opened outside the canvas). */
export function SimMedia({ url }: { url: string }) {
  const safe = /^https?:\/\//i.test(url);
  if (!safe) return <span className="sim-media">{url}</span>;
  return (
    <a className="sim-media" data-testid="sim-media" href={url} target="_blank" rel="noreferrer noopener">
      {IMAGE.test(url) ? <img src={url} alt="media" loading="lazy" /> : url}
    </a>
  );
}

/** The messages between the contact and the flow, oldest first; the flow's sender is shown
 * when it is not the flow's address (an alphanumeric sender, a Messaging Service). */
export function Transcript({
  messages,
  flowAddress,
  listRef,
  empty,
  testId = "sim-messages",
}: {
  messages: SimMessage[];
  flowAddress: string;
  listRef?: RefObject<HTMLOListElement>;
  empty: string;
  testId?: string;
}) {
  return (
    <ol className="sim-messages" data-testid={testId} ref={listRef}>
      {messages.map((m) => (
        <li key={`${m.direction}:${m.sid}`} className={`sim-msg ${m.direction}`} data-direction={m.direction} data-status={m.status} data-to={m.to}>
          {m.direction === "outbound" && m.from !== flowAddress && (
            <span className="sim-sender" data-testid="sim-sender">
              {m.from}
            </span>
          )}
          <span className="sim-body">{m.body}</span>
          {m.media_urls?.map((u) => (
            <SimMedia key={u} url={u} />
          ))}
          {m.status === "failed" || m.status === "undelivered" ? <span className="sim-failed"> ({m.status})</span> : null}
        </li>
      ))}
      {!messages.length && <li className="muted">{empty}</li>}
    </ol>
  );
}
