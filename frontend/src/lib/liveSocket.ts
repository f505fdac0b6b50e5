// The console's live sockets (the flow monitor, Function logs, the web chat visitor's socket):
// one WebSocket kept open until closed, opened again after a drop (backing off, with jitter, up
// to a cap), never again after the server refused it. Frames are JSON objects; anything else is
// dropped here. A socket that comes back may have missed frames: `onReconnect` is where a caller
// reads again what it shows (or its URL carries a cursor, `url` being read at each attempt).

/** Close codes that mean "not for you" (the consumers' `close(code=4403)`, webchat's 4404 for a
 * conversation that is gone, 1008 policy violation): asking again would be refused again.
 * A refusal before the handshake completes reaches the browser as 1006, and is retried. */
export const REFUSED_CODES: readonly number[] = [1008, 4403, 4404];

export interface LiveSocketOptions<F> {
  /** The socket's URL (see wsUrl), read again at each attempt. */
  url: string | (() => string);
  /** Each frame: a parsed JSON object. */
  onMessage(frame: F): void;
  /** Each time a socket opens. */
  onOpen?(): void;
  /** When a socket opens after the first one dropped: whatever came meanwhile was missed. */
  onReconnect?(): void;
  /** The socket dropped or could not be opened; the next attempt is `delayMs` away. */
  onDown?(delayMs: number): void;
  /** The server closed with one of REFUSED_CODES: no further attempt. */
  onRefused?(code: number): void;
  /** The first retry's delay (doubled each failed attempt), and the cap. */
  baseMs?: number;
  maxMs?: number;
  random?: () => number;
}

export interface LiveSocket {
  /** Sends `frame` as JSON; false when no socket is open to take it. */
  send(frame: unknown): boolean;
  /** Closes the socket for good: no further attempt, no further callback. */
  close(): void;
}

/** `ws:`/`wss:` (as the page is http or https) URL of a path on the page's host. */
export function wsUrl(path: string, loc: Pick<Location, "protocol" | "host"> = window.location): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}${path}`;
}

/** The wait before retry number `attempt` (0-based): base·2^attempt capped at max, then
 * "equal jitter" (between half and all of it), so pages dropped together do not return together. */
export function backoff(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export function liveSocket<F = { type?: unknown }>(options: LiveSocketOptions<F>): LiveSocket {
  const { baseMs = 1000, maxMs = 30000, random = Math.random } = options;
  let socket: WebSocket | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;
  let opened = false;
  let stopped = false;

  const again = () => {
    if (stopped || retry) return;
    const delay = backoff(failures++, baseMs, maxMs, random);
    retry = setTimeout(() => {
      retry = null;
      connect();
    }, delay);
    options.onDown?.(delay);
  };

  function connect() {
    if (stopped) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(typeof options.url === "function" ? options.url() : options.url);
    } catch {
      again();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      failures = 0;
      const reopened = opened;
      opened = true;
      options.onOpen?.();
      if (reopened) options.onReconnect?.();
    };
    ws.onmessage = (ev: MessageEvent) => {
      let frame: unknown;
      try {
        frame = JSON.parse(String(ev.data));
      } catch {
        return; // not JSON: not a frame of ours
      }
      if (frame !== null && typeof frame === "object" && !Array.isArray(frame)) options.onMessage(frame as F);
    };
    // An error is followed by a close; the close's code decides, the error only makes sure of it.
    ws.onerror = () => {
      ws.close();
      again();
    };
    ws.onclose = (ev?: CloseEvent) => {
      if (socket !== ws) return; // a close that came after its error's retry
      socket = null;
      const code = ev?.code;
      if (code !== undefined && REFUSED_CODES.includes(code)) {
        stopped = true; // and a retry its error scheduled does nothing
        options.onRefused?.(code);
        return;
      }
      again();
    };
  }

  connect();
  return {
    send(frame) {
      if (!socket) return false;
      try {
        socket.send(JSON.stringify(frame));
        return true;
      } catch {
        return false; // not open yet, or closing
      }
    },
    close() {
      stopped = true;
      if (retry) clearTimeout(retry);
      retry = null;
      const ws = socket;
      socket = null;
      if (ws) {
        ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
        ws.close();
      }
    },
  };
}
