// Keyboard shortcuts of the editor page: a pure key → command map (tested on its own) and the
// hook that listens on the window.
import { useEffect } from "react";
import { editorStore } from "../store/flowStore";
import type { EditorCommands } from "./useEditorCommands";

export type Shortcut = "undo" | "redo" | "copy" | "paste" | "save" | "selectAll";

interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

/** The command a key press asks for (Ctrl on Linux/Windows, ⌘ on macOS), or null. */
export function shortcutFor(e: KeyLike): Shortcut | null {
  if (!e.ctrlKey && !e.metaKey) return null;
  const k = e.key.toLowerCase();
  if (k === "z") return e.shiftKey ? "redo" : "undo";
  if (k === "y") return "redo";
  if (k === "c") return "copy";
  if (k === "v") return "paste";
  if (k === "s") return "save";
  if (k === "a") return "selectAll";
  return null;
}

const RUN: Record<Shortcut, (c: EditorCommands) => void> = {
  undo: (c) => c.undo(),
  redo: (c) => c.redo(),
  copy: (c) => void c.copy(),
  paste: (c) => void c.paste(),
  save: (c) => void c.save(false),
  selectAll: (c) => c.selectAll(),
};

/** Keys typed into a form field belong to the field (its own undo, copy and select-all). */
function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
}

export function useEditorShortcuts(commands: EditorCommands): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // A revision diff is read-only: no shortcut may edit, copy from or save it.
      if (isTyping(e.target) || editorStore.getState().diffDef) return;
      const shortcut = shortcutFor(e);
      if (!shortcut) return;
      RUN[shortcut](commands);
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [commands]);
}
