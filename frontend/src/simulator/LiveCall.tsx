import { useEffect, useRef, useState } from "react";
import { simApi, type LiveCallTurn, type TranscriptEvent } from "../api/client";
import { refreshExecution } from "../live/monitor";
import { describe } from "./CallTab";

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

/** Speak a Say with the browser's speech synthesis (when sound is on and the browser has it). */
function speak(text: string): void {
  const synth = typeof window !== "undefined" ? window.speechSynthesis : undefined;
  if (!synth || typeof SpeechSynthesisUtterance === "undefined") return;
  synth.speak(new SpeechSynthesisUtterance(text));
}

/** A call the user answers live: Say shown (and spoken), Play played, keypad and typed speech at each Gather. */
export function LiveCall({ flowSid, from, to, onExecution }: { flowSid: string; from: string; to: string; onExecution?(sid: string): void }) {
  const [callSid, setCallSid] = useState<string | null>(null);
  const [events, setEvents] = useState<TranscriptEvent[]>([]);
  const [waiting, setWaiting] = useState<TranscriptEvent | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [speech, setSpeech] = useState("");
  const [sound, setSound] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const soundRef = useRef(sound);
  soundRef.current = sound;

  const take = (turn: LiveCallTurn) => {
    setCallSid(turn.call_sid);
    setEvents((prev) => [...prev, ...turn.events]);
    setWaiting(turn.waiting);
    setStatus(turn.status);
    if (soundRef.current) for (const e of turn.events) if (e.type === "say" && typeof e.text === "string") speak(e.text);
    if (turn.execution_sid) {
      void refreshExecution(turn.execution_sid);
      onExecution?.(turn.execution_sid);
    }
  };

  const act = async (fn: () => Promise<LiveCallTurn>) => {
    setBusy(true);
    setError(null);
    try {
      take(await fn());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const ring = () => {
    setEvents([]);
    void act(() => simApi.startLiveCall(flowSid, from.trim(), to.trim()));
  };
  const answer = (a: Parameters<typeof simApi.answerCall>[1]) => {
    if (callSid) void act(() => simApi.answerCall(callSid, a));
  };

  useEffect(() => () => window.speechSynthesis?.cancel?.(), []);

  const inCall = Boolean(callSid && waiting);
  return (
    <div className="sim-live-call" data-testid="sim-live-call">
      <div className="sim-live-controls">
        <button type="button" className="primary" data-testid="sim-live-ring" disabled={busy || inCall} onClick={ring}>
          Call the flow
        </button>
        <label className="sim-sound">
          <input type="checkbox" data-testid="sim-sound" checked={sound} onChange={(e) => setSound(e.target.checked)} /> Sound
        </label>
        {status && (
          <span className="muted" data-testid="sim-live-status" data-status={status}>
            {waiting ? "Waiting for the caller" : `Call ${status}`}
          </span>
        )}
      </div>
      {error && (
        <div className="banner error" role="alert">
          {error}
        </div>
      )}
      <ol className="sim-transcript" data-testid="sim-live-transcript">
        {events.map((e, i) => {
          const text = describe(e);
          if (text === null) return null;
          return (
            <li key={i} className={`sim-ev sim-ev-${e.type}`} data-event-type={e.type}>
              {text}
              {e.type === "play" && typeof e.url === "string" && (
                <audio src={e.url} controls autoPlay={sound} data-testid="sim-live-audio" preload="none" />
              )}
            </li>
          );
        })}
      </ol>
      {inCall && (
        <div className="sim-keypad-wrap">
          <div className="sim-keypad" role="group" aria-label="Keypad" data-testid="sim-keypad">
            {KEYS.map((k) => (
              <button key={k} type="button" data-testid={`sim-key-${k === "*" ? "star" : k === "#" ? "hash" : k}`} disabled={busy} onClick={() => answer({ digits: k })}>
                {k}
              </button>
            ))}
          </div>
          <form
            className="sim-compose"
            onSubmit={(e) => {
              e.preventDefault();
              if (speech.trim()) answer({ speech: speech.trim() });
              setSpeech("");
            }}
          >
            <input aria-label="Say" placeholder="Say (typed speech)" data-testid="sim-live-speech" value={speech} onChange={(e) => setSpeech(e.target.value)} />
            <button type="submit" disabled={busy} data-testid="sim-live-say">
              Say
            </button>
          </form>
          <div className="sim-live-controls">
            <button type="button" data-testid="sim-live-silence" disabled={busy} title="Let the Gather time out now" onClick={() => answer({ silence: true })}>
              Skip wait (silence)
            </button>
            <button type="button" className="danger" data-testid="sim-live-hangup" disabled={busy} onClick={() => answer({ hangup: true })}>
              Hang up
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
