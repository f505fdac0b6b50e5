// Copy/paste carries flow JSON (`{"states": [...]}`). The system clipboard is used when the
// browser allows it; localStorage is the fallback that also works across flows (tabs or
// navigations) in the same browser when clipboard permissions are denied.
import type { State } from "./types";

const KEY = "open-studio:clipboard";
// Set when the last copy could not reach the system clipboard: its content is then older than
// ours and must not win on paste.
const STALE = "open-studio:clipboard-system-stale";

export async function writeClipboard(payload: { states: State[] }): Promise<void> {
  const text = JSON.stringify(payload);
  try {
    localStorage.setItem(KEY, text);
  } catch {
    /* storage full or disabled: the system clipboard may still work */
  }
  let wrote = false;
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      wrote = true;
    }
  } catch {
    /* permission denied (e.g. not a secure context): the localStorage copy stands */
  }
  try {
    if (wrote) localStorage.removeItem(STALE);
    else localStorage.setItem(STALE, "1");
  } catch {
    /* ignore */
  }
}

function parseClipboard(text: string | null | undefined): { states: State[] } | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as { states?: unknown };
    if (v && Array.isArray(v.states)) return { states: v.states as State[] };
  } catch {
    /* not ours */
  }
  return null;
}

export async function readClipboard(): Promise<{ states: State[] } | null> {
  let stale = false;
  try {
    stale = localStorage.getItem(STALE) === "1";
  } catch {
    /* ignore */
  }
  if (!stale) try {
    const text = await navigator.clipboard?.readText();
    const parsed = parseClipboard(text);
    if (parsed) return parsed;
  } catch {
    /* fall through */
  }
  try {
    return parseClipboard(localStorage.getItem(KEY));
  } catch {
    return null;
  }
}
