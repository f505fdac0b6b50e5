// Test helpers: mount React trees in jsdom and count how often a subtree re-renders.
import { act, Profiler, type ReactNode } from "react";
import { createRoot, type Root } from "react-dom/client";

// Tells React that updates in tests are wrapped in act() (no warnings, effects flushed).
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export interface Mounted {
  container: HTMLElement;
  root: Root;
  unmount(): void;
}

export function mount(ui: ReactNode): Mounted {
  const container = document.createElement("div");
  document.body.appendChild(container);
  const root = createRoot(container);
  act(() => root.render(ui));
  return {
    container,
    root,
    unmount() {
      act(() => root.unmount());
      container.remove();
    },
  };
}

/** Wraps `ui` in a Profiler: `commits()` is how many times anything in it rendered since `reset()`. */
export function profiled(ui: ReactNode): { ui: ReactNode; commits(): number; reset(): void } {
  let n = 0;
  return {
    ui: (
      <Profiler id="probe" onRender={() => void n++}>
        {ui}
      </Profiler>
    ),
    commits: () => n,
    reset: () => void (n = 0),
  };
}

/** Type into a controlled input as a user would (React listens to the native input event). */
export function typeInto(el: HTMLInputElement | HTMLTextAreaElement, text: string): void {
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  const setter = Object.getOwnPropertyDescriptor(proto, "value")!.set!;
  act(() => {
    setter.call(el, text);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
}
