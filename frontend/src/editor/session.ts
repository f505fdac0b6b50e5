// Editor-page effects that watch the store without re-rendering the page: they subscribe to
// the store directly, so a keystroke in the inspector renders only what draws the change.
import { useEffect } from "react";
import { api } from "../api/client";
import { editorStore, isDirty } from "../store/flowStore";
import type { FlowDefinition } from "../types";

/** Live validation: the server's validator is the one source of truth for problems. */
export function useLiveValidation(): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = (def: FlowDefinition, savedDef: FlowDefinition) => {
      clearTimeout(timer);
      if (def === savedDef) return;
      const sent = def;
      timer = setTimeout(
        () => {
          api.validate(sent).then(
            (r) => {
              if (editorStore.getState().def === sent) editorStore.getState().actions.setProblems(r.errors, r.warnings, sent);
            },
            () => undefined,
          );
        },
        def.states.length > 300 ? 2000 : 600,
      );
    };
    const unsubscribe = editorStore.subscribe((s, prev) => {
      if (s.def !== prev.def || s.savedDef !== prev.savedDef) schedule(s.def, s.savedDef);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, []);
}

/** The browser asks before leaving a page with unsaved changes. */
export function useUnsavedChangesWarning(): void {
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (isDirty(editorStore.getState())) e.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, []);
}
