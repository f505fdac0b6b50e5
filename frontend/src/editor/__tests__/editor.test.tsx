// The editor page's parts: keyboard shortcuts, and the toolbar, problems panel and Liquid fields
// staying still while a widget is edited (each reads only the store slices it draws).
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ProblemsPanel } from "../../components/ProblemsPanel";
import { LiquidField } from "../../inspector/LiquidField";
import { editorStore } from "../../store/flowStore";
import * as ops from "../../store/ops";
import { mount, profiled, type Mounted } from "../../testing/render";
import type { FlowDefinition, FlowDetail } from "../../types";
import { EditorToolbar } from "../EditorToolbar";
import { useLiveValidation } from "../session";
import { shortcutFor, useEditorShortcuts } from "../shortcuts";
import type { EditorCommands } from "../useEditorCommands";

// The server's validator, answered by the test.
const validate = vi.hoisted(() => vi.fn());
vi.mock("../../api/client", () => ({ api: { validate } }));

function fakeCommands(): EditorCommands {
  return {
    undo: vi.fn(), redo: vi.fn(), copy: vi.fn(async () => undefined), paste: vi.fn(async () => undefined),
    deleteSelected: vi.fn(), selectAll: vi.fn(), addWidget: vi.fn(), autoLayout: vi.fn(async () => undefined),
    fitView: vi.fn(), findNext: vi.fn(), jumpTo: vi.fn(), save: vi.fn(async () => undefined),
    restore: vi.fn(async () => undefined), exportJson: vi.fn(), setCommitMessage: vi.fn(), resolveConflict: vi.fn(),
  };
}

function flow(): FlowDefinition {
  const def = ops.blankDefinition();
  const say = (name: string) => ({ name, type: "say-play", transitions: [], properties: { offset: { x: 0, y: 0 }, say: "Hi" } });
  return { ...def, states: [...def.states, say("hello"), say("bye")] };
}

const DETAIL = { sid: "FW1", friendly_name: "Support", status: "draft", revision: 3, test_users: [] } as unknown as FlowDetail;
const actions = () => editorStore.getState().actions;
const key = (k: string, extra: Partial<KeyboardEventInit> = {}) => ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, ...extra });

let mounted: Mounted | null = null;
beforeEach(() => actions().load(DETAIL, flow()));
afterEach(() => {
  mounted?.unmount();
  mounted = null;
});

describe("keyboard shortcuts", () => {
  it("maps Ctrl/⌘ keys to commands and leaves plain keys alone", () => {
    expect(shortcutFor(key("z", { ctrlKey: true }))).toBe("undo");
    expect(shortcutFor(key("Z", { metaKey: true, shiftKey: true }))).toBe("redo");
    expect(shortcutFor(key("y", { ctrlKey: true }))).toBe("redo");
    expect(shortcutFor(key("c", { ctrlKey: true }))).toBe("copy");
    expect(shortcutFor(key("v", { metaKey: true }))).toBe("paste");
    expect(shortcutFor(key("s", { ctrlKey: true }))).toBe("save");
    expect(shortcutFor(key("a", { ctrlKey: true }))).toBe("selectAll");
    expect(shortcutFor(key("z"))).toBeNull();
    expect(shortcutFor(key("q", { ctrlKey: true }))).toBeNull();
  });

  it("runs the command for a key pressed on the page, not in a form field or on a diff", () => {
    const commands = fakeCommands();
    function Probe() {
      useEditorShortcuts(commands);
      return <input data-testid="field" />;
    }
    mounted = mount(<Probe />);
    const press = (target: EventTarget, k: string) =>
      act(() => void target.dispatchEvent(new KeyboardEvent("keydown", { key: k, ctrlKey: true, bubbles: true, cancelable: true })));

    press(window, "s");
    expect(commands.save).toHaveBeenCalledWith(false);
    press(mounted.container.querySelector("input")!, "z");
    expect(commands.undo).not.toHaveBeenCalled();
    act(() => actions().showDiff(flow(), {}));
    press(window, "z");
    expect(commands.undo).not.toHaveBeenCalled();
    act(() => actions().showDiff(null, {}));
    press(window, "z");
    expect(commands.undo).toHaveBeenCalledTimes(1);
  });
});

describe("editing a widget", () => {
  it("re-renders the toolbar once (unsaved changes, undo), then no more while typing", () => {
    const commands = fakeCommands();
    const probe = profiled(
      <EditorToolbar commands={commands} busy={false} commitMessage="" simulatorOpen={false} onToggle={() => undefined} />,
    );
    mounted = mount(probe.ui);
    const status = () => mounted!.container.querySelector('[data-testid="flow-status"]')!.textContent;
    expect(status()).toBe("draft · rev 3");
    probe.reset();

    act(() => actions().setProperty("hello", "say", "H"));
    expect(probe.commits()).toBe(1);
    expect(status()).toBe("draft · rev 3 · unsaved changes");
    for (const text of ["He", "Hel", "Hell", "Hello"]) act(() => actions().setProperty("hello", "say", text));
    expect(probe.commits()).toBe(1);

    act(() => mounted!.container.querySelector<HTMLButtonElement>('[data-testid="undo-button"]')!.click());
    expect(commands.undo).toHaveBeenCalledTimes(1);
  });

  it("leaves the problems panel as it is", () => {
    act(() => actions().setProblems([{ message: "say is required", property_path: "#/states/2/properties/say" }], [], editorStore.getState().def));
    const probe = profiled(<ProblemsPanel onJump={() => undefined} />);
    mounted = mount(probe.ui);
    expect(mounted.container.textContent).toContain("bye: say is required");
    probe.reset();
    for (const text of ["B", "By", "Bye"]) act(() => actions().setProperty("hello", "say", text));
    expect(probe.commits()).toBe(0);
  });

  it("leaves idle Liquid fields of other widgets as they are", () => {
    const probe = profiled(<LiquidField id="f" testId="f" value="{{flow.data.x}}" onChange={() => undefined} />);
    mounted = mount(probe.ui);
    probe.reset();
    for (const text of ["B", "By", "Bye"]) act(() => actions().setProperty("hello", "say", text));
    expect(probe.commits()).toBe(0);
  });
});

describe("live validation", () => {
  it("asks the server once typing pauses, and keeps only the answer for the current definition", async () => {
    vi.useFakeTimers();
    try {
      const answer = { valid: false, errors: [{ message: "say is too long", property_path: "#/states/1/properties/say" }], warnings: [] };
      validate.mockReset().mockResolvedValue(answer);
      function Probe() {
        useLiveValidation();
        return null;
      }
      const probe = profiled(<Probe />);
      mounted = mount(probe.ui);
      probe.reset();

      for (const text of ["L", "Lo", "Lon", "Long"]) {
        act(() => actions().setProperty("hello", "say", text));
        act(() => void vi.advanceTimersByTime(300));
      }
      expect(validate).not.toHaveBeenCalled();
      await act(async () => void (await vi.advanceTimersByTimeAsync(600)));
      expect(validate).toHaveBeenCalledTimes(1);
      expect(validate.mock.calls[0][0]).toBe(editorStore.getState().def);
      expect(editorStore.getState().errors).toEqual(answer.errors);
      expect(probe.commits()).toBe(0);

      // An answer that arrives after another edit describes an old definition: dropped.
      let late: (v: typeof answer) => void = () => undefined;
      validate.mockReturnValueOnce(new Promise((resolve) => (late = resolve)));
      act(() => actions().setProperty("hello", "say", "Longer"));
      await act(async () => void (await vi.advanceTimersByTimeAsync(600)));
      act(() => actions().setProperty("hello", "say", "Longest"));
      await act(async () => late({ ...answer, errors: [] }));
      expect(editorStore.getState().errors).toEqual(answer.errors);
    } finally {
      vi.useRealTimers();
    }
  });
});
